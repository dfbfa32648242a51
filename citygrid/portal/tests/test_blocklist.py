import pytest
from django.urls import reverse

from citygrid.core.crypto import blind_index
from citygrid.core.models import ObjectChange
from citygrid.portal.models import BlockedIp, BlockedPhone

pytestmark = pytest.mark.django_db

KEEPER = [
    "portal.view_blockedphone",
    "portal.add_blockedphone",
    "portal.delete_blockedphone",
    "portal.view_blockedip",
    "portal.add_blockedip",
    "portal.delete_blockedip",
]


def test_dispatcher_blocks_and_unblocks_a_phone_with_history(client, make_user, tree):
    client.force_login(make_user(perms=KEEPER, scope=[tree.county_a]))
    response = client.post(
        reverse("portal:blockedphone_add"), {"phone": "138 1234 5678", "reason": "恶意刷单"}
    )
    assert response.status_code == 302
    blocked = BlockedPhone.objects.get()
    assert (blocked.phone, blocked.phone_index) == ("13812345678", blind_index("13812345678"))
    page = client.get(reverse("portal:blockedphone_list")).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    change = ObjectChange.objects.get(
        action="create", object_id=blocked.pk, content_type__model="blockedphone"
    )
    assert change.postchange_data["phone"] == "138****5678"

    again = client.post(
        reverse("portal:blockedphone_add"), {"phone": "13812345678", "reason": "重复"}
    )
    assert "该手机号码已在屏蔽名单中" in again.content.decode()
    bad = client.post(reverse("portal:blockedphone_add"), {"phone": "12345", "reason": "x"})
    assert bad.status_code == 200 and BlockedPhone.objects.count() == 1

    assert client.post(reverse("portal:blockedphone_delete", args=[blocked.pk])).status_code == 302
    assert not BlockedPhone.objects.exists()
    assert ObjectChange.objects.filter(
        action="delete", object_id=blocked.pk, content_type__model="blockedphone"
    ).exists()


def test_ip_block_list_refuses_bad_and_duplicate_addresses(client, make_user, tree):
    client.force_login(make_user(perms=KEEPER, scope=[tree.county_a]))
    url = reverse("portal:blockedip_add")
    assert client.post(url, {"ip": "10.1.2.3", "reason": "批量注册"}).status_code == 302
    assert (
        "该地址已在屏蔽名单中"
        in client.post(url, {"ip": "10.1.2.3", "reason": "再"}).content.decode()
    )
    assert client.post(url, {"ip": "not-an-ip", "reason": "x"}).status_code == 200
    assert list(BlockedIp.objects.values_list("ip", flat=True)) == ["10.1.2.3"]


def test_block_lists_need_their_permissions(client, make_user, tree):
    client.force_login(make_user(perms=["portal.view_blockedphone"], scope=[tree.county_a]))
    assert client.get(reverse("portal:blockedphone_list")).status_code == 200
    response = client.post(
        reverse("portal:blockedphone_add"), {"phone": "13812345678", "reason": "x"}
    )
    assert response.status_code == 403
    assert not BlockedPhone.objects.exists()
    assert client.get(reverse("portal:blockedip_list")).status_code == 403
