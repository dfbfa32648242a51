from django.urls import path

from citygrid.mobile import api, directive_views, dispute_views, views

app_name = "mobile"

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("cases/<int:case_id>/verify/", views.verify, name="verify"),
    path("tasks/<int:task_id>/patrol/", views.patrol, name="patrol"),
    path("tasks/<int:task_id>/answer/", views.answer, name="answer"),
    path("tasks/new/", views.new_patrol, name="new_patrol"),
    path("visit/", views.visit, name="visit"),
    path("queue/", views.queue, name="queue"),
    path("lookup/", views.lookup, name="lookup"),
    path("disputes/", dispute_views.dispute_list, name="dispute_list"),
    path("disputes/new/", dispute_views.dispute_new, name="dispute_new"),
    path("disputes/<int:dispute_id>/", dispute_views.dispute_detail, name="dispute"),
    path("directives/", directive_views.directive_list, name="directive_list"),
    path("directives/<int:receipt_id>/", directive_views.directive_detail, name="directive"),
    path("directives/<int:receipt_id>/act/", directive_views.directive_act, name="directive_act"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("api/reports/", api.ReportView.as_view(), name="api_report"),
    path("api/cases/<int:case_id>/verify/", api.VerifyView.as_view(), name="api_verify"),
    path("api/tasks/<int:task_id>/patrol/", api.PatrolView.as_view(), name="api_patrol"),
    path("api/tasks/<int:task_id>/answer/", api.AnswerView.as_view(), name="api_answer"),
    path("api/tasks/", api.OwnPatrolView.as_view(), name="api_own_patrol"),
    path("api/visits/", api.VisitView.as_view(), name="api_visit"),
    path("api/people/", api.PeopleView.as_view(), name="api_people"),
    path("api/houses/", api.HousesView.as_view(), name="api_houses"),
]
