"""A region picker that searches as you type instead of listing every region.

A `<select>` of every region loads each row (and, without `.only()`, its boundary) on every
form or list page; a county holds thousands. The picker renders only the selected regions;
`static/citygrid/region-picker.js` fetches matches from `regions:region_search`, which
answers from the user's territory only. The field's queryset still validates the choice.
"""

import django_filters
from django import forms
from django.urls import reverse

from citygrid.core.filtersets import INT_MAX
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

PICKER_COLUMNS = ("id", "code", "name", "level")


def picker_label(name: str, code: str, level: str) -> str:
    """What a picker shows for a region, both when rendered and in search results."""
    return f"{name}（{RegionLevel(level).label} {code}）"


class RegionPicker(forms.Select):
    """A `ModelChoiceField`'s widget; `levels` narrows the search to the levels it accepts."""

    def __init__(self, attrs=None, *, levels=()):
        super().__init__({"class": "form-select", **(attrs or {})})
        self.levels = tuple(levels)

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-region-picker": "",
            "data-search-url": reverse("regions:region_search"),
            "data-placeholder": "输入名称或区划代码搜索",
        }
        if self.levels:
            attrs["data-levels"] = ",".join(self.levels)
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        # The value comes from the address bar: an id too wide for a bigint is no region.
        ids = [v for v in value if str(v).isdigit() and int(v) <= INT_MAX]
        queryset = getattr(self.choices, "queryset", None)
        chosen = (
            list(queryset.select_related(None).only(*PICKER_COLUMNS).filter(pk__in=ids))
            if ids and queryset is not None
            else []
        )
        options = []
        empty_label = getattr(getattr(self.choices, "field", None), "empty_label", None)
        if not self.allow_multiple_selected and empty_label is not None:
            options.append(self.create_option(name, "", empty_label, not chosen, 0))
        for index, region in enumerate(chosen, start=len(options)):
            label = picker_label(region.name, region.code, region.level)
            options.append(self.create_option(name, str(region.pk), label, True, index))
        return [(None, options, 0)]


class RegionMultiPicker(RegionPicker, forms.SelectMultiple):
    """The same for a `ModelMultipleChoiceField` (a user's scope regions)."""


class RegionCodePicker(forms.Select):
    """The picker for a filter that takes a region code (`?within=330101`, as the API does):
    the option's value is the code, so the address keeps meaning the same subtree."""

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "class": "form-select",
            "data-region-picker": "",
            "data-value-field": "code",
            "data-search-url": reverse("regions:region_search"),
            "data-placeholder": "输入名称或区划代码搜索",
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        codes = [v for v in value if v and str(v).isdigit() and len(str(v)) <= 20]
        chosen = Region.objects.filter(code__in=codes).values(*PICKER_COLUMNS)[:1]
        options = [self.create_option(name, "", "", not chosen, 0)]
        for row in chosen:
            label = picker_label(row["name"], row["code"], row["level"])
            options.append(self.create_option(name, row["code"], label, True, 1))
        return [(None, options, 0)]


def within_filter() -> django_filters.CharFilter:
    """Records in a region's subtree, the region picked by name or code (the filterset's
    `filter_within` reads the code)."""
    return django_filters.CharFilter(
        method="filter_within", label="所属区域（含下级）", widget=RegionCodePicker()
    )


# Levels of government: where departments and responsibilities sit, never inside a grid.
GOVERNMENT_LEVELS = (
    RegionLevel.CITY,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
    RegionLevel.COMMUNITY,
)


def use_picker(field: forms.ModelChoiceField, *levels: str) -> None:
    """Give a form's region field a picker. With `levels`, the field accepts only regions of
    those levels and the picker searches only them (one statement of the rule for both)."""
    if levels:
        field.queryset = field.queryset.filter(level__in=levels)
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    field.widget = (RegionMultiPicker if multiple else RegionPicker)(levels=levels)
    field.widget.is_required = field.required
    field.widget.choices = field.choices
