"""System management: API keys shown once and stored hashed, rotation, attribute editing."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from citygrid.core.models import ObjectChange
from citygrid.integrations.open311.keys import client_for, digest
from citygrid.integrations.open311.models import ApiClient, ServiceAttribute

pytestmark = pytest.mark.django_db

KEY_PERMS = [
    "open311.view_apiclient",
    "open311.add_apiclient",
    "open311.change_apiclient",
]


def shown_key(response) -> str:
    match = re.search(r'id="api-key" readonly value="([^"]+)"', response.content.decode())
    assert match, "the page shows the new key"
    return match.group(1)


def test_create_shows_the_key_once_and_stores_its_digest(client, make_user, tree):
    client.force_login(make_user(perms=KEY_PERMS, scope=[tree.city]))
    response = client.post(
        "/open311/v2/manage/keys/add/",
        {"name": "12345 热线系统", "contact": "王工", "active": "on"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = shown_key(response)
    api_client = ApiClient.objects.get()
    assert api_client.key_hash == digest(key) and api_client.key_prefix == key[:8]
    assert client_for(key) == api_client
    detail = client.get(api_client.get_absolute_url()).content.decode()
    assert key not in detail and f"{key[:8]}…" in detail
    change = ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(ApiClient), object_id=api_client.pk
    )
    assert change.postchange_data["name"] == "12345 热线系统"
    assert "key_hash" not in change.postchange_data and key not in str(change.postchange_data)


def test_rotate_replaces_the_key(client, make_user, tree, api_key):
    client.force_login(make_user(perms=KEY_PERMS, scope=[tree.city]))
    api_client = ApiClient.objects.get()
    response = client.post(f"/open311/v2/manage/keys/{api_client.pk}/rotate/")
    new_key = shown_key(response)
    assert new_key != api_key
    assert client_for(api_key) is None and client_for(new_key) == api_client
    change = ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(ApiClient),
        object_id=api_client.pk,
        action="update",
    )
    assert [f for f, _, _ in change.diff()] == ["key_prefix"]
    assert new_key not in str(change.postchange_data)


def test_key_use_is_stamped_without_a_history_entry(api_key):
    api_client = ApiClient.objects.get()
    assert api_client.last_used_at is None
    assert client_for(api_key) == api_client
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None
    assert not ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(ApiClient)
    ).exists()


def test_without_permission_nothing_is_created_or_rotated(client, make_user, tree, api_key):
    client.force_login(make_user(perms=["open311.view_apiclient"], scope=[tree.city]))
    api_client = ApiClient.objects.get()
    assert client.post("/open311/v2/manage/keys/add/", {"name": "x"}).status_code == 403
    assert client.post(f"/open311/v2/manage/keys/{api_client.pk}/rotate/").status_code == 403
    assert ApiClient.objects.count() == 1 and client_for(api_key) == api_client
    assert client.get("/open311/v2/manage/keys/").status_code == 200


def test_menu_shows_the_keys_to_who_may_view_them(client, make_user, tree):
    client.force_login(make_user(perms=["open311.view_apiclient"], scope=[tree.city]))
    page = client.get("/open311/v2/manage/keys/").content.decode()
    assert "Open311 接口密钥" in page and 'href="/open311/v2/manage/keys/"' in page
    client.force_login(make_user(perms=["cases.view_case"], scope=[tree.city]))
    assert client.get("/open311/v2/manage/keys/").status_code == 403


ATTRIBUTE_PERMS = ["open311.view_serviceattribute", "open311.add_serviceattribute"]


def test_attribute_with_values(client, make_user, tree, setup):
    client.force_login(make_user(perms=ATTRIBUTE_PERMS, scope=[tree.city]))
    data = {
        "category": setup.category.pk,
        "code": "severity",
        "description": "影响程度",
        "datatype": "singlevaluelist",
        "order": 1,
        "required": "on",
        "variable": "on",
        "values_text": "1=轻微\n2=严重",
    }
    response = client.post("/open311/v2/manage/attributes/add/", data)
    assert response.status_code == 302
    attribute = ServiceAttribute.objects.get()
    assert attribute.values == [{"key": "1", "name": "轻微"}, {"key": "2", "name": "严重"}]
    assert client.get(attribute.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("datatype", "values_text", "message"),
    [
        ("singlevaluelist", "", "单选、多选须至少填写一个选项"),
        ("multivaluelist", "1=甲\n1=乙", "选项的键不能重复"),
        ("singlevaluelist", "只有名称", "第1行应为“键=名称”"),
        ("number", "1=甲", "只有单选、多选需要选项"),
    ],
)
def test_attribute_refused(client, make_user, tree, setup, datatype, values_text, message):
    client.force_login(make_user(perms=ATTRIBUTE_PERMS, scope=[tree.city]))
    data = {
        "category": setup.category.pk,
        "code": "severity",
        "description": "影响程度",
        "datatype": datatype,
        "order": 1,
        "values_text": values_text,
    }
    response = client.post("/open311/v2/manage/attributes/add/", data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ServiceAttribute.objects.exists()
