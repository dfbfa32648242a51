import json

import pytest

from citygrid.core import records
from citygrid.core.models import ObjectChange
from citygrid.core.testing import logged
from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db


def test_edit_through_the_ui_records_user_request_and_diff(client, tree, make_user):
    user = make_user(perms=["regions.view_region", "regions.change_region"], scope=[tree.city])
    client.force_login(user)
    grid = tree.grid_a1
    response = client.post(
        f"/territory/regions/{grid.pk}/edit/",
        {
            "parent": grid.parent_id,
            "level": "grid",
            "code": grid.code,
            "name": "新名字",
            "kind": "basic",
            "introduction": "沿河的老街区",
            "boundary": json.dumps(grid.boundary),
        },
    )
    assert response.status_code == 302
    change = ObjectChange.objects.get(object_id=grid.pk, action="update")
    assert change.user == user and change.user_name == user.username
    assert str(change.request_id) == response["X-Request-ID"]
    assert change.region_code == grid.code
    diff = {f: (b, a) for f, b, a in change.diff()}
    assert diff == {"name": ("甲一网格", "新名字"), "introduction": ("", "沿河的老街区")}
    page = client.get(f"/territory/regions/{grid.pk}/changelog/").content.decode()
    assert "新名字" in page and "甲一网格" in page and user.username in page


def test_history_is_scoped_like_the_records(client, tree, make_user):
    records.delete_record(Region.objects.get(pk=tree.grid_b1.pk), actor=None)
    records.delete_record(Region.objects.get(pk=tree.grid_a2.pk), actor=None)
    user = make_user(perms=["core.view_objectchange", "regions.view_region"], scope=[tree.county_a])
    client.force_login(user)
    shown = {
        row.record.object_repr
        for row in client.get("/core/changes/").context["table"].page.object_list
    }
    assert "甲二网格" in shown and "乙一网格" not in shown


def test_deleted_user_name_is_kept(tree, make_user):
    from citygrid.core.context import acting_as

    user = make_user(scope=[tree.city])
    with acting_as(user):
        tree.grid_a1.name = "改"
        records.save_record(tree.grid_a1, actor=user)
    user.delete()
    change = ObjectChange.objects.get(object_id=tree.grid_a1.pk, action="update")
    assert change.user is None and change.user_name == "user1"


def test_unlogged_writes_write_no_history_and_logging_resumes(tree):
    from citygrid.core import writeguard

    with writeguard.unlogged():
        tree.grid_a1.name = "回填"
        records.save_record(tree.grid_a1, actor=None)
    assert not ObjectChange.objects.filter(object_id=tree.grid_a1.pk, action="update").exists()
    tree.grid_a1.name = "再改"
    records.save_record(tree.grid_a1, actor=None)
    change = ObjectChange.objects.get(object_id=tree.grid_a1.pk, action="update")
    assert dict((f, (b, a)) for f, b, a in change.diff()) == {"name": ("回填", "再改")}
    assert ObjectChange.objects.filter(object_id=tree.grid_a1.pk, action="update").count() == 1


def test_history_of_need_to_know_records_stays_with_those_who_may_see_them(client, tree, make_user):
    from citygrid.core.validators import id_number_check_char
    from citygrid.people.models import MentalDisorderDetail, Person, SpecialGroup

    body = "33010119800101003"
    person = logged(
        Person, region=tree.grid_a1, name="周某", id_number=body + id_number_check_char(body)
    )
    membership = logged(
        SpecialGroup, person=person, kind="mental_disorder", started_on="2026-01-01"
    )
    detail = logged(MentalDisorderDetail, membership=membership, diagnosis="01", risk_level=3)
    clerk = make_user(perms=["core.view_objectchange", "people.view_person"], scope=[tree.county_a])
    client.force_login(clerk)
    shown = {row.record.object_repr for row in client.get("/core/changes/").context["table"].rows}
    assert str(person) in shown
    assert str(membership) not in shown and str(detail) not in shown
    hidden = ObjectChange.objects.get(
        object_id=detail.pk, content_type__model="mentaldisorderdetail"
    )
    assert client.get(f"/core/changes/{hidden.pk}/").status_code == 404

    officer = make_user(
        perms=["core.view_objectchange", "people.view_person", "people.view_specialgroup"],
        scope=[tree.county_a],
    )
    client.force_login(officer)
    shown = {row.record.object_repr for row in client.get("/core/changes/").context["table"].rows}
    assert {str(person), str(membership), str(detail)} <= shown
    assert client.get(f"/core/changes/{hidden.pk}/").status_code == 200


def test_history_of_a_sealed_juvenile_record_stays_sealed(client, tree, make_user):
    from citygrid.core.validators import id_number_check_char
    from citygrid.people.models import Person, ReleasedPrisonerDetail, SpecialGroup

    body = "33010120080101003"
    person = logged(
        Person, region=tree.grid_a1, name="少年", id_number=body + id_number_check_char(body)
    )
    sealed = logged(
        SpecialGroup, person=person, kind="released_prisoner", started_on="2026-01-01", sealed=True
    )
    detail = logged(
        ReleasedPrisonerDetail, membership=sealed, offence="盗窃罪", released_on="2026-01-01"
    )
    officer = make_user(
        perms=["core.view_objectchange", "people.view_person", "people.view_specialgroup"],
        scope=[tree.county_a],
    )

    def shown(user):
        client.force_login(user)
        table = client.get("/core/changes/").context["table"]
        return {row.record.object_repr for row in table.rows}

    assert str(person) in shown(officer)
    assert not {str(sealed), str(detail)} & shown(officer)
    hidden = ObjectChange.objects.get(
        object_id=detail.pk, content_type__model="releasedprisonerdetail"
    )
    assert client.get(f"/core/changes/{hidden.pk}/").status_code == 404
    assert {str(sealed), str(detail)} <= shown(make_user(superuser=True))
