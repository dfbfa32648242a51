"""Every filter of every filterset speaks Chinese: no "[invalid name]" (django-filter's label
for a name it cannot resolve), no "…ID", no English word; a record picked by its id is a hidden
input; content types and permissions are named by their Chinese record types.

The filtersets are found, not listed: every `filtersets*` module of every CityGrid app, every
subclass of `BaseFilterSet` with a model, so a new filterset is checked by itself."""

import importlib
import pkgutil
import re

import pytest
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from citygrid.core.filtersets import BaseFilterSet, model_field

pytestmark = pytest.mark.django_db

# Proper names a Chinese label may hold; any other Latin word is an internal or English name.
PROPER_NAMES = {"Open311", "IP"}


def internal(label) -> bool:
    label = str(label)
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9]*", label))
    return "[invalid name]" in label or bool(words - PROPER_NAMES)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def all_filtersets() -> list[type[BaseFilterSet]]:
    for app in apps.get_app_configs():
        if not app.name.startswith("citygrid."):
            continue
        for module in pkgutil.iter_modules(app.module.__path__):
            if module.name.startswith("filtersets"):
                importlib.import_module(f"{app.name}.{module.name}")
    found = {cls for cls in _subclasses(BaseFilterSet) if cls._meta.model is not None}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


FILTERSETS = all_filtersets()


def test_the_filtersets_are_found():
    names = {cls.__name__ for cls in FILTERSETS}
    assert {"PersonFilterSet", "RentalFilterSet", "CaseFilterSet", "ObjectChangeFilterSet"} <= names
    assert len(FILTERSETS) >= 25


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda cls: cls.__name__)
def test_every_filter_has_a_chinese_label(filterset, rf, tree, make_user):
    request = rf.get("/")
    request.user = make_user(superuser=True)
    form = filterset({}, queryset=filterset._meta.model.objects.none(), request=request).form
    bad = {name: field.label for name, field in form.fields.items() if not field.label}
    bad |= {name: field.label for name, field in form.fields.items() if internal(field.label)}
    assert not bad, f"{filterset.__name__}: {bad}"


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda cls: cls.__name__)
def test_no_visible_box_asks_for_a_record_id(filterset, rf, tree, make_user):
    request = rf.get("/")
    request.user = make_user(superuser=True)
    form = filterset({}, queryset=filterset._meta.model.objects.none(), request=request).form
    for field in form.visible_fields():
        filter_ = filterset.base_filters[field.name]
        related = model_field(filterset._meta.model, filter_.field_name)
        typed = isinstance(field.field.widget, forms.NumberInput | forms.TextInput)
        assert not (typed and related is not None and related.is_relation), (
            f"{filterset.__name__}.{field.name} asks for the id of a {related.verbose_name}"
        )


@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda cls: cls.__name__)
def test_every_offered_choice_reads_in_chinese(filterset, rf, tree, make_user):
    """Choices from code (states, levels, record types) and the empty choice; names people
    typed (a user's login, a department) are data and not judged here."""
    request = rf.get("/")
    request.user = make_user(superuser=True)
    form = filterset({}, queryset=filterset._meta.model.objects.none(), request=request).form
    for field in form.visible_fields():
        queryset = getattr(field.field, "queryset", None)
        if queryset is not None and queryset.model is not ContentType:
            continue
        for _value, label in getattr(field.field.widget, "choices", ()):
            assert label not in ("---------", "未知") and not internal(label), (
                f"{filterset.__name__}.{field.name}: {label}"
            )


def test_a_hidden_id_filter_still_filters_from_a_link(client, tree, make_user):
    from citygrid.regions.models import Region

    client.force_login(make_user(superuser=True))
    page = client.get(f"/territory/regions/?parent_id={tree.county_a.pk}").content.decode()
    assert f'type="hidden" name="parent_id" value="{tree.county_a.pk}"' in page
    shown = client.get(f"/territory/regions/?parent_id={tree.county_a.pk}").context["listing"]
    children = Region.objects.filter(parent=tree.county_a).count()
    assert children and shown.total.value == children


def test_record_types_are_offered_by_their_chinese_names(rf, tree, make_user):
    from citygrid.core.filtersets import AccessLogFilterSet, ObjectChangeFilterSet

    request = rf.get("/")
    request.user = make_user(superuser=True)
    for filterset in (ObjectChangeFilterSet, AccessLogFilterSet):
        form = filterset({}, queryset=filterset._meta.model.objects.none(), request=request).form
        labels = [label for value, label in form.fields["content_type"].choices if value]
        assert "出租屋" in labels and "实有人口" in labels
        assert not [label for label in labels if internal(label)], labels


def test_every_permission_of_a_role_is_named_in_chinese(db):
    from citygrid.accounts.forms import RoleForm

    field = RoleForm().fields["permissions"]
    labels = [field.label_from_instance(perm) for perm in field.queryset]
    assert "出租屋：核实申报" in labels
    assert not [label for label in labels if internal(label)]
