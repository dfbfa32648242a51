"""Small pieces shared by the case screens."""

from datetime import date, datetime, time

from django.db import models
from django.utils.timezone import localtime

from citygrid.core.views import generic


class ListView(generic.ObjectListView):
    """The generic list, with the request handed to the filterset (its pickers are scoped)."""

    def filtered(self, action: str):
        qs = self.get_queryset(action)
        self.filterset_instance = self.filterset(
            self.request.GET, queryset=qs, request=self.request
        )
        return self.filterset_instance.qs


def display(obj, name: str) -> str:
    field = obj._meta.get_field(name)
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{localtime(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(field, models.DecimalField):
        return f"{value.normalize():f}"
    return str(value)


class RecordView(generic.ObjectView):
    """Detail of a small configuration record: its fields, label and value."""

    template_name = "cases/record.html"
    fields: tuple[str, ...] = ()

    def extra_context(self, obj) -> dict:
        return {
            "fields": [(obj._meta.get_field(n).verbose_name, display(obj, n)) for n in self.fields]
        }
