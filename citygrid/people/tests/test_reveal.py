"""查看明文: plaintext only by POST, for a stated reason, to roles that may see it — logged."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from citygrid.core.models import AccessLog
from citygrid.people.models import Person
from citygrid.people.tests.test_persons import id_number, make_person

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def person(tree):
    return make_person(tree.grid_a1, "张三", id_number(), PHONE)


def viewer(make_user, tree, view_sensitive=True):
    return make_user(
        perms=["people.view_person"], scope=[tree.county_a], view_sensitive=view_sensitive
    )


def reveal_url(person):
    return reverse("people:person_reveal", args=[person.pk])


def test_reveal_shows_plaintext_and_logs_reason_and_ip(client, tree, make_user, person):
    user = viewer(make_user, tree)
    client.force_login(user)
    response = client.post(
        reveal_url(person),
        {"reason": "入户核实身份"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert id_number() in body and PHONE in body
    assert response["Cache-Control"] == "no-store"
    log = AccessLog.objects.get()
    assert (log.user, log.user_name, log.action) == (user, user.username, "view_sensitive")
    assert log.content_type == ContentType.objects.get_for_model(Person)
    assert (log.object_id, log.reason, log.ip) == (person.pk, "入户核实身份", "10.1.2.3")
    assert log.detail == "证件号码、联系电话"
    # The log holds no plaintext.
    for value in (log.detail, log.reason, log.user_name):
        assert id_number() not in value and PHONE not in value


def test_reveal_without_reason_asks_again_and_logs_nothing(client, tree, make_user, person):
    client.force_login(viewer(make_user, tree))
    response = client.post(reveal_url(person), {"reason": "  "})
    assert response.status_code == 200
    body = response.content.decode()
    assert id_number() not in body and PHONE not in body
    assert "这个字段是必填项" in body or "必填" in body
    assert response["HX-Retarget"] == "#person-reveal-form"
    assert not AccessLog.objects.exists()


def test_reveal_get_is_405(client, tree, make_user, person):
    client.force_login(viewer(make_user, tree))
    response = client.get(reveal_url(person))
    assert response.status_code == 405
    assert id_number() not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_reveal_without_view_sensitive_is_403(client, tree, make_user, person):
    client.force_login(viewer(make_user, tree, view_sensitive=False))
    response = client.post(reveal_url(person), {"reason": "好奇"})
    assert response.status_code == 403
    assert id_number() not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_reveal_out_of_scope_is_404(client, tree, make_user):
    outside = make_person(tree.grid_b1, "李四", id_number("330102"), "13800000002")
    client.force_login(viewer(make_user, tree))
    response = client.post(reveal_url(outside), {"reason": "核实"})
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_reveal_anonymous_redirects_to_login(client, person):
    response = client.post(reveal_url(person), {"reason": "核实"})
    assert response.status_code == 302
    assert not AccessLog.objects.exists()


def test_detail_page_offers_reveal_only_to_view_sensitive(client, tree, make_user, person):
    client.force_login(viewer(make_user, tree, view_sensitive=False))
    page = client.get(person.get_absolute_url()).content.decode()
    assert person.masked("id_number") in page and "138****5678" in page
    assert id_number() not in page and PHONE not in page
    assert reveal_url(person) not in page

    client.force_login(viewer(make_user, tree))
    page = client.get(person.get_absolute_url()).content.decode()
    assert f'hx-post="{reveal_url(person)}"' in page
    assert id_number() not in page and PHONE not in page
    assert not AccessLog.objects.exists()  # opening the page reveals nothing
