from rest_framework.routers import DefaultRouter

from citygrid.housing.api import views

router = DefaultRouter(trailing_slash=True)
router.register("estates", views.EstateViewSet)
router.register("buildings", views.BuildingViewSet)
router.register("houses", views.HouseViewSet)
router.register("rentals", views.RentalViewSet)
router.register("hazard-checks", views.HazardCheckViewSet)

urlpatterns = router.urls
