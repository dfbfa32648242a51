"""The person picker: find a person by the start of their name or a whole ID number instead of
a `<select>` of every resident in the territory (a county holds millions).

The page renders only the chosen person; `static/citygrid/search-picker.js` POSTs what is typed
to `people:person_search` (a POST: an ID number never goes into a URL), which answers from the
persons the user may view, at most `SEARCH_RESULTS`, by the name index or the ID number's blind
index. The form field's queryset still validates the choice. Choosing a person reloads the page
with `?person=<pk>`, since what a form offers next (open categories, ...) depends on the person.
"""

from django import forms
from django.urls import reverse

from citygrid.core.filtersets import INT_MAX
from citygrid.core.validators import mask_id_number
from citygrid.people.filtersets import exact_identifier_q
from citygrid.people.models import Person

SEARCH_RESULTS = 20


def picker_label(person: Person) -> str:
    """Name, masked ID number and grid: enough to tell two namesakes apart on screen."""
    return f"{person.name}（{mask_id_number(person.id_number)}，{person.region.name}）"


def search_persons(user, text: str) -> list[Person]:
    text = " ".join(text.split())[:60]
    if not text:
        return []
    persons = (
        Person.objects.restrict(user, "view")
        .select_related("region")
        .only("pk", "name", "id_number", "region__name")
    )
    exact = exact_identifier_q(text)
    found = persons.filter(**exact) if exact else persons.filter(name__startswith=text)
    return list(found.order_by("name", "pk")[:SEARCH_RESULTS])


class PersonPicker(forms.Select):
    """A person `ModelChoiceField`'s widget."""

    def __init__(self, attrs=None):
        super().__init__({"class": "form-select", **(attrs or {})})

    def get_context(self, name, value, attrs):
        attrs = {
            **(attrs or {}),
            "data-search-picker": "",
            "data-search-url": reverse("people:person_search"),
            "data-reload-param": name,
            "data-placeholder": "输入姓名开头或完整证件号码搜索",
            "data-empty": "没有匹配的人员",
        }
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        ids = [v for v in value if str(v).isdigit() and int(v) <= INT_MAX]
        queryset = getattr(self.choices, "queryset", None)
        chosen = (
            list(
                queryset.select_related("region")
                .only("pk", "name", "id_number", "region__name")
                .filter(pk__in=ids)
            )
            if ids and queryset is not None
            else []
        )
        options = [self.create_option(name, "", "", not chosen, 0)]
        for index, person in enumerate(chosen, start=1):
            options.append(
                self.create_option(name, str(person.pk), picker_label(person), True, index)
            )
        return [(None, options, 0)]
