"""Guardians, helpers, controllers and family members: their names and phones are encrypted at
rest, masked in the change log, and masked on pages, forms, exports and the API unless the role
may see plaintext (a plaintext export asks for a reason, like a single reveal)."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from citygrid.core import crypto, records
from citygrid.core.models import AccessLog, ObjectChange
from citygrid.people.models import LeftBehindDetail, VulnerableGroup
from citygrid.people.tests.test_groups import make_person, make_vulnerable

pytestmark = pytest.mark.django_db

CLEAR = ("王芳", "13800001234", "社工老周", "13912345678")
MASKED = ("王*", "138****1234", "社*周", "139****5678")


@pytest.fixture
def group(tree):
    return make_vulnerable(
        make_person(tree.grid_a1, "李奶奶", born="19400101"),
        guardian_name="王芳",
        guardian_phone="13800001234",
        helper_name="社工老周",
        helper_phone="13912345678",
    )


def clerk(make_user, tree, *actions, view_sensitive=False):
    perms = [f"people.{a}_vulnerablegroup" for a in actions] + ["people.view_person"]
    return make_user(perms=perms, scope=[tree.county_a], view_sensitive=view_sensitive)


def test_stored_encrypted_and_masked_in_the_change_log(group):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT guardian_name, guardian_phone, helper_name, helper_phone "
            "FROM people_vulnerablegroup WHERE id = %s",
            [group.pk],
        )
        row = cursor.fetchone()
    assert not any(value in str(row) for value in CLEAR)
    assert tuple(crypto.decrypt(value) for value in row) == CLEAR
    group.guardian_phone = "13800009999"
    records.save_record(group, actor=None)
    history = [
        str(change.prechange_data) + str(change.postchange_data)
        for change in ObjectChange.objects.filter(object_id=group.pk, object_repr=str(group))
    ]
    assert len(history) == 1 and "138****9999" in history[0] and "138****1234" in history[0]
    assert not any(value in history[0] for value in (*CLEAR, "13800009999"))


def test_pages_mask_unless_the_role_may_see_plaintext(client, tree, make_user, group):
    client.force_login(clerk(make_user, tree, "view"))
    for url in [group.get_absolute_url(), reverse("people:vulnerablegroup_list")]:
        page = client.get(url).content.decode()
        assert not any(value in page for value in CLEAR), url
    page = client.get(group.get_absolute_url()).content.decode()
    assert all(value in page for value in MASKED)
    part = client.get(reverse("people:person_groups", args=[group.person_id])).content.decode()
    assert "社*周" in part and "社工老周" not in part

    client.force_login(clerk(make_user, tree, "view", view_sensitive=True))
    page = client.get(group.get_absolute_url()).content.decode()
    assert all(value in page for value in CLEAR)


def test_api_shows_the_helper_masked(api_client, tree, make_user, group):
    api_client.force_authenticate(clerk(make_user, tree, "view", view_sensitive=True))
    row = api_client.get("/api/vulnerable-groups/").json()["results"][0]
    assert row["helper_name"] == "社*周"
    assert not any(value in str(row) for value in CLEAR)


def test_edit_form_never_prints_them_and_blank_keeps_them(client, tree, make_user, group):
    client.force_login(clerk(make_user, tree, "view", "change", view_sensitive=True))
    url = reverse("people:vulnerablegroup_edit", args=[group.pk])
    page = client.get(url).content.decode()
    assert not any(value in page for value in CLEAR)
    assert all(value in page for value in MASKED)
    data = {"kind": group.kind, "started_on": "2025-01-01", "guardian_phone": "13800005555"}
    assert client.post(url, data).status_code == 302
    group = VulnerableGroup.objects.get(pk=group.pk)
    assert (group.guardian_name, group.guardian_phone, group.helper_name) == (
        "王芳",
        "13800005555",
        "社工老周",
    )
    data = {"kind": group.kind, "started_on": "2025-01-01", "clear_helper_name": "on"}
    assert client.post(url, data).status_code == 302
    group = VulnerableGroup.objects.get(pk=group.pk)
    assert (group.helper_name, group.helper_phone) == ("", "13912345678")


def test_person_pages_mask_the_family_member(client, tree, make_user):
    person = make_person(tree.grid_a1, "小红", born="20150101")
    LeftBehindDetail.objects.create(
        person=person, kind="01", family_member_name="张大山", family_member_phone="13700001111"
    )
    user = clerk(make_user, tree, "view", view_sensitive=True)
    user.user_permissions.add(Permission.objects.get(codename="change_person"))
    client.force_login(user)
    for url in [person.get_absolute_url(), reverse("people:person_edit", args=[person.pk])]:
        page = client.get(url).content.decode()
        assert "张*山" in page and "137****1111" in page, url
        assert "张大山" not in page and "13700001111" not in page, url


def test_export_is_masked_unless_plaintext_is_asked_for_with_a_reason(
    client, tree, make_user, group
):
    export = reverse("people:vulnerablegroup_export")
    client.force_login(clerk(make_user, tree, "view", "export"))
    assert (
        'id="export-plaintext"'
        not in client.get(reverse("people:vulnerablegroup_list")).content.decode()
    )
    client.force_login(clerk(make_user, tree, "view", "export", view_sensitive=True))
    assert (
        'id="export-plaintext"'
        in client.get(reverse("people:vulnerablegroup_list")).content.decode()
    )
    text = client.get(export, {"export_format": "csv"}).getvalue().decode("utf-8-sig")
    assert "社*周" in text and "社工老周" not in text
    assert AccessLog.objects.get(action="export").reason == ""

    refused = client.get(export, {"export_format": "csv", "plaintext": "1", "reason": " "})
    assert refused.status_code == 302 and refused.url.startswith(
        reverse("people:vulnerablegroup_list")
    )
    assert AccessLog.objects.filter(action="export").count() == 1

    asked = {"export_format": "csv", "plaintext": "1", "reason": "民政局核查"}
    text = client.get(export, asked).getvalue().decode("utf-8-sig")
    assert "社工老周" in text
    log = AccessLog.objects.filter(action="export").latest("id")
    assert (log.reason, log.record_count) == ("民政局核查", 1)
    assert "明文" in log.detail and "民政局核查" not in log.detail


def test_plaintext_export_refused_without_plaintext_rights(client, tree, make_user, group):
    client.force_login(clerk(make_user, tree, "view", "export"))
    response = client.get(
        reverse("people:vulnerablegroup_export"),
        {"export_format": "csv", "plaintext": "1", "reason": "核查"},
    )
    assert response.status_code == 403
    assert not AccessLog.objects.filter(action="export").exists()
