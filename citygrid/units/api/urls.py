from rest_framework.routers import DefaultRouter

from citygrid.units.api import views

router = DefaultRouter(trailing_slash=True)
router.register("units", views.UnitViewSet)
router.register("unit-licences", views.UnitLicenceViewSet)

urlpatterns = router.urls
