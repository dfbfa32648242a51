"""Views of core's own record types: code tables, change history, access log."""

from citygrid.core import filtersets, forms, history, tables
from citygrid.core.changelog import hidden_history, readable_content_types
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


class ReadableChangesMixin:
    """History rows of record types the user may read, inside the user's territory."""

    def get_queryset(self, action=None):
        qs = super().get_queryset(action)
        user = self.request.user
        return qs.filter(content_type__in=readable_content_types(user)).exclude(
            hidden_history(user)
        )


class ObjectChangeListView(ReadableChangesMixin, generic.ObjectListView):
    model = ObjectChange
    queryset = ObjectChange.objects.select_related("user", "content_type")
    table = tables.ObjectChangeTable
    filterset = filtersets.ObjectChangeFilterSet


class ObjectChangeView(ReadableChangesMixin, generic.ObjectView):
    model = ObjectChange
    queryset = ObjectChange.objects.select_related("user", "content_type")
    template_name = "core/objectchange.html"

    def extra_context(self, obj):
        return {"entry": history.readable([obj])[0]}


class AccessLogListView(generic.ObjectListView):
    model = AccessLog
    queryset = AccessLog.objects.select_related("content_type")
    table = tables.AccessLogTable
    filterset = filtersets.AccessLogFilterSet
