from rest_framework.routers import DefaultRouter

from citygrid.neworgs.api import views

router = DefaultRouter(trailing_slash=True)
router.register("new-organisations", views.NewOrganisationViewSet)
router.register("organisation-branches", views.OrgBranchViewSet)
router.register("organisation-regulations", views.RegulationViewSet)
router.register("organisation-work-records", views.WorkRecordViewSet)

urlpatterns = router.urls
