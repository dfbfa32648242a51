"""The one write path (`core.records`) and the guard that keeps writes on it."""

import pytest
from django.db.models import ProtectedError

from citygrid.core import records, writeguard
from citygrid.core.errors import OutOfScope
from citygrid.core.models import ObjectChange
from citygrid.core.testing import logged
from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db


def as_project_code(source: str, **names):
    """Run `source` as if it stood in a project module (not a test): the guard applies."""
    exec(compile(source, "/work/main/citygrid/somewhere/services.py", "exec"), names)


def changes(obj, action=None):
    rows = ObjectChange.objects.filter(object_id=obj.pk, content_type__model="region")
    return rows.filter(action=action) if action else rows


# --- the guard ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "region.name = 'x'\nregion.save()",
        "Region.objects.create(parent=region.parent, level='grid', code=region.code[:-1] + '9',"
        " name='新')",
        "Region.objects.filter(pk=region.pk).update(name='x')",
        "Region.objects.filter(pk=region.pk).delete()",
        "region.delete()",
        "Region.objects.bulk_update([region], ['name'])",
    ],
)
def test_direct_writes_from_project_code_are_refused(tree, source):
    region = Region.objects.get(pk=tree.grid_a2.pk)
    with pytest.raises(writeguard.DirectWriteError):
        as_project_code(source, region=region, Region=Region)
    assert Region.objects.get(pk=region.pk).name == "甲二网格"
    assert Region.objects.count() == 10


def test_unlogged_escape_writes_without_history(tree):
    region = Region.objects.get(pk=tree.grid_a2.pk)
    with writeguard.unlogged():
        as_project_code("region.name = '回填'\nregion.save()", region=region)
    assert Region.objects.get(pk=region.pk).name == "回填"
    assert not changes(region).exists()


def test_the_write_path_writes_from_project_code(tree, make_user):
    user = make_user(scope=[tree.county_a])
    region = Region.objects.get(pk=tree.grid_a2.pk)
    as_project_code(
        "region.name = '新名'\nsave_record(region, actor=user)",
        region=region,
        user=user,
        save_record=records.save_record,
    )
    change = changes(region, "update").get()
    assert change.user == user
    assert dict((f, (b, a)) for f, b, a in change.diff()) == {"name": ("甲二网格", "新名")}


# --- save_record ----------------------------------------------------------------------------


def test_before_is_the_state_at_load_whatever_was_assigned_since(tree):
    region = Region.objects.get(pk=tree.grid_a2.pk)
    region.name = "一改"
    region.introduction = "简介"
    records.save_record(region, actor=None)
    region.name = "二改"
    records.save_record(region, actor=None)
    first, second = changes(region, "update").order_by("pk")
    assert {f for f, _, _ in first.diff()} == {"name", "introduction"}
    assert dict((f, (b, a)) for f, b, a in second.diff()) == {"name": ("一改", "二改")}


def test_an_unchanged_save_writes_no_history(tree):
    region = Region.objects.get(pk=tree.grid_a2.pk)
    records.save_record(region, actor=None)
    assert not changes(region).exists()


def test_save_runs_full_clean_on_the_instance(tree):
    region = Region.objects.get(pk=tree.grid_a2.pk)
    region.code = "bad"
    with pytest.raises(Exception) as refused:
        records.save_record(region, actor=None)
    assert "code" in str(refused.value)
    assert Region.objects.get(pk=region.pk).code == "330101001001002"
    assert not changes(region).exists()


def test_leaving_the_writers_territory_rolls_back(tree, make_user):
    from citygrid.cases.models import Department

    user = make_user(scope=[tree.county_a])
    dept = Department.objects.create(region=tree.county_a, name="城管", code="CG")
    dept = Department.objects.get(pk=dept.pk)
    dept.name = "越界"
    dept.region = tree.county_b
    with pytest.raises(OutOfScope):
        records.save_record(dept, actor=user)
    stored = Department.objects.get(pk=dept.pk)
    assert (stored.name, stored.region_code) == ("城管", "330101")
    assert not ObjectChange.objects.filter(object_id=dept.pk).exists()


def test_many_to_many_values_are_logged_with_the_fields(tree, make_user):
    from citygrid.cases.models import Department

    member = make_user()
    dept = records.save_record(
        Department(region=tree.county_a, name="城管", code="CG"), actor=None, m2m={"members": []}
    )
    dept.name = "城管局"
    records.save_record(dept, actor=None, m2m={"members": [member]})
    change = ObjectChange.objects.get(object_id=dept.pk, action="update")
    diff = dict((f, (b, a)) for f, b, a in change.diff())
    assert diff == {"name": ("城管", "城管局"), "members": ([], [member.pk])}


# --- delete_record --------------------------------------------------------------------------


def test_delete_logs_the_record_and_what_cascades_from_it(tree):
    from citygrid.core.validators import id_number_check_char
    from citygrid.people.models import FloatingDetail, Person

    body = "33010119800101003"
    person = logged(
        Person,
        region=tree.grid_a1,
        name="王五",
        id_number=body + id_number_check_char(body),
        residence_type="floating",
    )
    detail = logged(FloatingDetail, person=person, registered_on="2026-01-01")
    ids = person.pk, detail.pk
    records.delete_record(person, actor=None)
    deleted = ObjectChange.objects.filter(action="delete")
    assert {(c.content_type.model, c.object_id) for c in deleted} == {
        ("person", ids[0]),
        ("floatingdetail", ids[1]),
    }
    assert deleted.get(content_type__model="person").prechange_data["id_number"].count("*") == 8


def test_a_protected_delete_deletes_and_logs_nothing(tree):
    with pytest.raises(ProtectedError):
        records.delete_record(Region.objects.get(pk=tree.community_a.pk), actor=None)
    assert Region.objects.filter(pk=tree.community_a.pk).exists()
    assert not ObjectChange.objects.filter(action="delete").exists()


def test_delete_outside_the_territory_is_refused(tree, make_user):
    user = make_user(scope=[tree.county_b])
    with pytest.raises(OutOfScope):
        records.delete_record(Region.objects.get(pk=tree.grid_a2.pk), actor=user)
    assert Region.objects.filter(pk=tree.grid_a2.pk).exists()


# --- bulk and bookkeeping -------------------------------------------------------------------


def test_bulk_writes_log_what_single_writes_log(tree):
    single = Region(parent=tree.community_b, level="grid", code="330102001001005", name="单")
    records.save_record(single, actor=None)
    batch = [Region(parent=tree.community_b, level="grid", code="330102001001006", name="批")]
    records.create_records(Region, batch, actor=None)
    one, many = (
        ObjectChange.objects.get(object_id=r.pk, action="create") for r in (single, *batch)
    )
    assert {**one.postchange_data, "id": 0, "code": "", "name": ""} == {
        **many.postchange_data,
        "id": 0,
        "code": "",
        "name": "",
    }
    assert many.region_code == "330102001001006"
    batch[0].name = "批改"
    records.update_records(Region, batch, actor=None)
    change = ObjectChange.objects.get(object_id=batch[0].pk, action="update")
    assert dict((f, (b, a)) for f, b, a in change.diff()) == {"name": ("批", "批改")}


def test_touch_updates_only_columns_outside_the_history(tree):
    with pytest.raises(ValueError):
        records.touch(Region.objects.filter(pk=tree.grid_a2.pk), name="x")
    assert records.touch(Region.objects.filter(pk=tree.grid_a2.pk), last_updated=None) == 1
    assert not changes(tree.grid_a2).exists()
