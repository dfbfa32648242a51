"""Care-record pages (帮教/帮扶记录). A record under a special-group category is shown only to
users who may see special groups: the category alone tells the person's status."""

from citygrid.core.views import generic
from citygrid.people import filtersets_groups as filtersets
from citygrid.people.care import overdue_categories, visible_care_records
from citygrid.people.forms.groups import CareRecordForm
from citygrid.people.models import CareRecord
from citygrid.people.tables.groups import CareRecordTable


class NeedToKnowMixin:
    def get_queryset(self, action=None):
        return visible_care_records(super().get_queryset(action), self.request.user)


class CareRecordListView(NeedToKnowMixin, generic.ObjectListView):
    model = CareRecord
    queryset = CareRecord.objects.select_related("person", "region")
    table = CareRecordTable
    filterset = filtersets.CareRecordFilterSet


class CareRecordView(NeedToKnowMixin, generic.ObjectView):
    model = CareRecord
    queryset = CareRecord.objects.select_related("person", "region")

    def extra_context(self, obj):
        return {"overdue": obj.category in overdue_categories(obj.person)}


class CareRecordEditView(NeedToKnowMixin, generic.ObjectEditView):
    model = CareRecord
    form = CareRecordForm

    def initial(self):
        # The person's record number only: a category next to it would tell their status.
        person = self.request.GET.get("person", "")
        return {"person": person} if person.isdigit() else {}


class CareRecordDeleteView(NeedToKnowMixin, generic.ObjectDeleteView):
    model = CareRecord


class CareRecordChangeLogView(NeedToKnowMixin, generic.ObjectChangeLogView):
    model = CareRecord


class CareRecordExportView(NeedToKnowMixin, generic.ExportView):
    model = CareRecord
    queryset = CareRecord.objects.select_related("person")
    filterset = filtersets.CareRecordFilterSet
