from rest_framework.routers import DefaultRouter

from citygrid.orgs.api import views

router = DefaultRouter(trailing_slash=True)
router.register("org-units", views.OrgUnitViewSet)
router.register("staff", views.StaffViewSet)

urlpatterns = router.urls
