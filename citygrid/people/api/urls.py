from rest_framework.routers import DefaultRouter

from citygrid.people.api import views

router = DefaultRouter(trailing_slash=True)
router.register("persons", views.PersonViewSet, basename="person")

urlpatterns = router.urls
