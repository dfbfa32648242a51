from django.urls import path

from citygrid.core.models import AccessLog, Dictionary, DictItem, ExportJob, ImportJob, ObjectChange
from citygrid.core.routing import model_urls
from citygrid.core.views import exports, jobs, pages, records

app_name = "core"

urlpatterns = [
    path("search/", pages.search, name="search"),
    path("wip/<slug:slug>/", pages.wip, name="wip"),
    path(
        "imports/", jobs.job_list, {"model": ImportJob, "title": "我的导入"}, name="importjob_list"
    ),
    path("imports/<int:pk>/", pages.importjob, name="importjob"),
    path("imports/<int:pk>/errors/", pages.importjob_errors, name="importjob_errors"),
    path(
        "exports/", jobs.job_list, {"model": ExportJob, "title": "我的导出"}, name="exportjob_list"
    ),
    path("exports/<int:pk>/", exports.exportjob, name="exportjob"),
    path("import-templates/<str:key>/", pages.import_template, name="import_template"),
    *model_urls(
        "dictionaries",
        Dictionary,
        list=records.DictionaryListView.as_view(),
        add=records.DictionaryEditView.as_view(),
        detail=records.DictionaryView.as_view(),
        edit=records.DictionaryEditView.as_view(),
        delete=records.DictionaryDeleteView.as_view(),
        changelog=records.DictionaryChangeLogView.as_view(),
    ),
    *model_urls(
        "dict-items",
        DictItem,
        add=records.DictItemEditView.as_view(),
        edit=records.DictItemEditView.as_view(),
    ),
    *model_urls(
        "changes",
        ObjectChange,
        list=records.ObjectChangeListView.as_view(),
        detail=records.ObjectChangeView.as_view(),
    ),
    *model_urls("access-log", AccessLog, list=records.AccessLogListView.as_view()),
]
