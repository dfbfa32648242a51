"""The unit picker: a city has ~100 000 units, so unit fields search as one types
(`static/citygrid/search-picker.js`, GET to `orgs:unit_search`) instead of a `<select>` of
every unit in scope. The page renders only the chosen unit; the field's queryset validates."""

from django import forms
from django.urls import reverse

from citygrid.core.filtersets import INT_MAX
from citygrid.orgs.models import OrgUnit

SEARCH_RESULTS = 20


def picker_label(unit: OrgUnit) -> str:
    return f"{unit.name}（{unit.code}）"


def search_units(user, text: str) -> list[OrgUnit]:
    """Units in the user's territory whose name contains the text or whose code starts so."""
    text = " ".join(text.split())[:50]
    if not text:
        return []
    units = OrgUnit.objects.in_scope(user).only("pk", "name", "code")
    found = units.filter(name__icontains=text) | units.filter(code__startswith=text)
    return list(found.order_by("path")[:SEARCH_RESULTS])


class UnitPicker(forms.Select):
    def __init__(self, attrs=None):
        super().__init__({"class": "form-select", **(attrs or {})})

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-search-picker": "",
            "data-search-url": reverse("orgs:unit_search"),
            "data-method": "get",
            "data-placeholder": "输入单位名称或机构编码搜索",
            "data-empty": "没有匹配的单位",
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        ids = [v for v in value if str(v).isdigit() and int(v) <= INT_MAX]
        queryset = getattr(self.choices, "queryset", None)
        chosen = list(queryset.filter(pk__in=ids)) if ids and queryset is not None else []
        options = [self.create_option(name, "", "", not chosen, 0)]
        for index, unit in enumerate(chosen, start=1):
            options.append(self.create_option(name, str(unit.pk), picker_label(unit), True, index))
        return [(None, options, 0)]


def use_unit_picker(field: forms.ModelChoiceField) -> None:
    field.widget = UnitPicker()
    field.widget.is_required = field.required
    field.widget.choices = field.choices
