import re
from datetime import date

import django_filters
from django import forms

from citygrid.core import dictionaries
from citygrid.core.crypto import blind_index
from citygrid.core.filtersets import BaseFilterSet
from citygrid.core.validators import InvalidIdentifier, normalize_id_number, normalize_mobile
from citygrid.people.ages import years_before
from citygrid.people.choices import PersonStatus, ResidenceType
from citygrid.people.models import Person, Residency
from citygrid.regions.models import Region
from citygrid.regions.widgets import PICKER_COLUMNS, RegionPicker

_ID_LIKE_RE = re.compile(r"[0-9]{15}|[0-9]{17}[0-9Xx]")
_MOBILE_LIKE_RE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}")


def _dict_choices(code: str):
    return lambda: dictionaries.choices(code)


def _scope_regions(request):
    # The list page passes the request: the picker accepts only the user's territory. Exports
    # build the filter without it; their rows are restricted to the scope anyway. The picker
    # searches remotely, so this only validates the chosen id (never reading a boundary).
    qs = Region.objects.exclude(level="village_group").only(*PICKER_COLUMNS)
    if request is None:
        return qs
    return qs.in_scope(request.user)


def exact_identifier_q(text: str) -> dict | None:
    """An ID number or a mobile number typed in the search box, as a blind-index filter.

    Ciphertext is never searched with `icontains`: equal numbers encrypt differently, and a
    partial number would have to be decrypted row by row.
    """
    compact = re.sub(r"[\s-]+", "", text)
    if _ID_LIKE_RE.fullmatch(compact):
        try:
            number = normalize_id_number(compact)
        except InvalidIdentifier:
            number = compact.upper()
        return {"id_number_index": blind_index(number)}
    if _MOBILE_LIKE_RE.fullmatch(compact):
        return {"phone_index": blind_index(normalize_mobile(compact))}
    return None


class PersonFilterSet(BaseFilterSet):
    search_fields = ("name",)
    # A whole ID or mobile number matches exactly (the API uses it); the list page offers a
    # POSTed look-up for numbers instead, so they stay out of URLs. Names match by prefix: a
    # city holds millions of persons, and only a prefix is answered from an index.
    q = django_filters.CharFilter(method="search", label="姓名（开头匹配）")
    residence_type = django_filters.MultipleChoiceFilter(
        choices=ResidenceType.choices, label="人口类型"
    )
    status = django_filters.MultipleChoiceFilter(choices=PersonStatus.choices, label="状态")
    sex = django_filters.ChoiceFilter(choices=_dict_choices("sex"), label="性别")
    ethnicity = django_filters.ChoiceFilter(choices=_dict_choices("ethnicity"), label="民族")
    education = django_filters.ChoiceFilter(choices=_dict_choices("education"), label="学历")
    age_min = django_filters.NumberFilter(
        method="filter_age_min",
        label="年龄不小于",
        min_value=0,
        max_value=150,
        widget=forms.NumberInput(attrs={"min": 0, "max": 150}),
    )
    age_max = django_filters.NumberFilter(
        method="filter_age_max",
        label="年龄不大于",
        min_value=0,
        max_value=150,
        widget=forms.NumberInput(attrs={"min": 0, "max": 150}),
    )
    region = django_filters.ModelChoiceFilter(
        queryset=_scope_regions,
        method="filter_region",
        label="所属区域（含下级）",
        widget=RegionPicker,
    )
    id_type = django_filters.ChoiceFilter(choices=_dict_choices("id_type"), label="证件类型")
    # "Everyone who lives here" from a house, building or estate page: current homes only.
    house = django_filters.NumberFilter(
        method="filter_home", widget=forms.HiddenInput, label="现住房屋"
    )
    building = django_filters.NumberFilter(
        method="filter_home", widget=forms.HiddenInput, label="现住楼栋"
    )
    estate = django_filters.NumberFilter(
        method="filter_home", widget=forms.HiddenInput, label="现住小区"
    )

    class Meta:
        model = Person
        fields = [
            "q",
            "region",
            "residence_type",
            "status",
            "sex",
            "age_min",
            "age_max",
            "ethnicity",
            "education",
            "id_type",
            "house",
            "building",
            "estate",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        exact = exact_identifier_q(value) if value else None
        if exact is not None:
            return queryset.filter(**exact)
        return queryset.filter(name__startswith=value) if value else queryset

    def filter_age_min(self, queryset, name, value):
        return queryset.filter(birth_date__lte=years_before(date.today(), int(value)))

    def filter_age_max(self, queryset, name, value):
        # Younger than age_max + 1: born after that many years ago.
        return queryset.filter(birth_date__gt=years_before(date.today(), int(value) + 1))

    def filter_home(self, queryset, name, value):
        path = {"house": "house_id", "building": "house__building_id"}.get(
            name, "house__building__estate_id"
        )
        homes = Residency.objects.filter(ended_on__isnull=True, **{path: int(value)})
        return queryset.filter(pk__in=homes.values("person_id"))

    def filter_region(self, queryset, name, value):
        return queryset.filter(region_code__within=value.code)
