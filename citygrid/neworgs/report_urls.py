"""Included by `neworgs/urls.py` as `reports/`, in the `neworgs` namespace."""

from django.urls import path

from citygrid.neworgs import report_views

urlpatterns = [
    path("", report_views.home, name="monthlyreport_home"),
    path("generate/", report_views.generate, name="monthlyreport_generate"),
    path("remind/", report_views.remind, name="monthlyreport_remind"),
    path("status/export/", report_views.export_board, name="monthlyreport_board_export"),
    path("<int:pk>/", report_views.report_detail, name="monthlyreport"),
    path("<int:pk>/submit/", report_views.submit, name="monthlyreport_submit"),
    path("<int:pk>/return/", report_views.return_, name="monthlyreport_return"),
    path("<int:pk>/export/", report_views.export_report, name="monthlyreport_export"),
]
