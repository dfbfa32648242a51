from rest_framework.routers import DefaultRouter

from citygrid.exchange.api import views

router = DefaultRouter(trailing_slash=True)
router.register("exchange-boards", views.BoardViewSet)
router.register("exchange-topics", views.TopicViewSet)
router.register("exchange-replies", views.ReplyViewSet)

urlpatterns = router.urls
