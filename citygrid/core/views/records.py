"""Views of core's own record types: code tables, change history, access log."""

from citygrid.core import filtersets, forms, tables
from citygrid.core.models import AccessLog, Dictionary, DictItem, ObjectChange
from citygrid.core.views import generic


class DictionaryListView(generic.ObjectListView):
    model = Dictionary
    table = tables.DictionaryTable
    filterset = filtersets.DictionaryFilterSet


class DictionaryView(generic.ObjectView):
    model = Dictionary

    def extra_context(self, obj):
        return {"items": obj.items.all()}


class DictionaryEditView(generic.ObjectEditView):
    model = Dictionary
    form = forms.DictionaryForm


class DictionaryDeleteView(generic.ObjectDeleteView):
    model = Dictionary


class DictionaryChangeLogView(generic.ObjectChangeLogView):
    model = Dictionary


class DictItemEditView(generic.ObjectEditView):
    model = DictItem
    form = forms.DictItemForm


class ObjectChangeListView(generic.ObjectListView):
    model = ObjectChange
    queryset = ObjectChange.objects.select_related("user", "content_type")
    table = tables.ObjectChangeTable
    filterset = filtersets.ObjectChangeFilterSet


class ObjectChangeView(generic.ObjectView):
    model = ObjectChange
    template_name = "core/objectchange.html"


class AccessLogListView(generic.ObjectListView):
    model = AccessLog
    queryset = AccessLog.objects.select_related("content_type")
    table = tables.AccessLogTable
    filterset = filtersets.AccessLogFilterSet
