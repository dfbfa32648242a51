"""The house picker: find a house by estate, building and door, by address or by house code
instead of typing a 21-character code.

`search_houses` answers from the user's territory only, at most `SEARCH_RESULTS` houses, and
every branch is an index range: a code prefix on the unique code index, name and address
prefixes on `*_prefix_idx` (pattern opclasses on PostgreSQL), doors within the buildings found.
A substring search (`LIKE '%…%'`) reads every house, and a city has millions.
`static/citygrid/search-picker.js` calls it as one types (`house-picker.js` adds the owner
warning); the form field still validates the id.
"""

import re

from django import forms
from django.db.models import Q
from django.urls import reverse

from citygrid.core.filtersets import INT_MAX
from citygrid.housing.models import Building, Estate, House

SEARCH_RESULTS = 20
# Buildings of the estates found whose doors are searched: an estate has tens of buildings.
BUILDING_LIMIT = 200
HOUSE_CODE = re.compile(r"\d{20}[\dX]")


def picker_label(house: House) -> str:
    """What the picker shows: the door as people say it, the code and the grid."""
    return f"{house}（{house.code}，{house.region.name}）"


def _houses(user):
    return House.objects.in_scope(user).select_related("building__estate", "region")


def search_houses(user, text: str) -> list[House]:
    """Houses matching `text` in the user's territory.

    A whole house code finds that house, digits a code prefix. Otherwise the words are the
    estate (or building) name, then the building, then the door number — "幸福小区 3号楼 301" —
    each matched at its start; the whole text also matches the start of a house's address."""
    text = " ".join(text.split())[:60]
    if not text:
        return []
    if HOUSE_CODE.fullmatch(text.upper()):
        return list(_houses(user).filter(code=text.upper()))
    if text.isdigit():
        return list(_houses(user).filter(code__within=text).order_by("code")[:SEARCH_RESULTS])
    words = text.split(" ")
    found = list(_in_buildings(user, words))
    if len(found) < SEARCH_RESULTS:
        by_address = (
            _houses(user).filter(address__startswith=text).exclude(pk__in=[h.pk for h in found])
        )
        found += list(by_address.order_by("address", "pk")[: SEARCH_RESULTS - len(found)])
    return found


def _in_buildings(user, words: list[str]):
    first, rest = words[0], words[1:]
    estates = Estate.objects.in_scope(user).filter(name__startswith=first).values("pk")
    buildings = Building.objects.in_scope(user).filter(
        Q(estate__in=estates[:SEARCH_RESULTS]) | Q(name__startswith=first)
    )
    if rest:
        buildings = buildings.filter(name__startswith=rest[0])
    building_ids = list(buildings.values_list("pk", flat=True)[:BUILDING_LIMIT])
    if not building_ids:
        return House.objects.none()
    houses = _houses(user).filter(building_id__in=building_ids)
    if len(rest) > 1:
        houses = houses.filter(number__startswith=rest[-1])
    return houses.order_by("building_id", "entrance", "floor", "number", "pk")[:SEARCH_RESULTS]


class HousePicker(forms.Select):
    """A house `ModelChoiceField`'s widget: renders only the chosen house; the rest is found by
    `housing:house_search`."""

    def __init__(self, attrs=None):
        super().__init__({"class": "form-select", **(attrs or {})})

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-house-picker": "",
            "data-search-picker": "",
            "data-method": "get",
            "data-badge-field": "owners",
            "data-badge-text": "已有产权人",
            "data-empty": "没有匹配的房屋",
            "data-search-url": reverse("housing:house_search"),
            "data-placeholder": "输入小区、楼栋、门牌号（空格分开），或地址、房屋编码",
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        ids = [v for v in value if str(v).isdigit() and int(v) <= INT_MAX]
        queryset = getattr(self.choices, "queryset", None)
        chosen = (
            list(queryset.select_related("building__estate", "region").filter(pk__in=ids))
            if ids and queryset is not None
            else []
        )
        options = [self.create_option(name, "", "", not chosen, 0)]
        for index, house in enumerate(chosen, start=1):
            label = picker_label(house)
            options.append(self.create_option(name, str(house.pk), label, True, index))
        return [(None, options, 0)]
