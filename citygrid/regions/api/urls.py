from rest_framework.routers import DefaultRouter

from citygrid.regions.api import views

router = DefaultRouter(trailing_slash=True)
router.register("regions", views.RegionViewSet)
router.register("grid-workers", views.GridWorkerViewSet)

urlpatterns = router.urls
