from django.urls import path
from rest_framework.routers import DefaultRouter

from citygrid.cases.api import views
from citygrid.cases.api.indicators import IndicatorsView

router = DefaultRouter(trailing_slash=True)
router.register("cases", views.CaseViewSet)
router.register("case-categories", views.CaseCategoryViewSet)
router.register("departments", views.DepartmentViewSet)
router.register("supervision-orders", views.SupervisionOrderViewSet)
router.register("tasks", views.TaskViewSet)

urlpatterns = [
    path("cases/indicators/", IndicatorsView.as_view(), name="case-indicators"),
    *router.urls,
]
