from rest_framework.routers import DefaultRouter

from citygrid.people.api import groups, views

router = DefaultRouter(trailing_slash=True)
router.register("persons", views.PersonViewSet, basename="person")
router.register("special-groups", groups.SpecialGroupViewSet, basename="specialgroup")
router.register("vulnerable-groups", groups.VulnerableGroupViewSet, basename="vulnerablegroup")
router.register("key-persons", groups.KeyPersonViewSet, basename="keyperson")
router.register("at-risk-youth", groups.AtRiskYouthViewSet, basename="atriskyouth")
router.register("care-records", groups.CareRecordViewSet, basename="carerecord")

urlpatterns = router.urls
