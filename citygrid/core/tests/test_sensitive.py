"""Personal data: encrypted at rest, blind-indexed, masked on screen and in history."""

import pytest
from django.db import connection

from citygrid.core import crypto, records
from citygrid.core.models import ObjectChange
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tree):
    worker = GridWorker(region=tree.grid_a1, name="张三", role="grid_worker", phone="13812345678")
    worker.full_clean()
    worker.save()
    return worker


def test_encrypt_round_trip_uses_a_fresh_iv():
    first, second = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    assert first != second
    assert crypto.decrypt(first) == crypto.decrypt(second) == "13812345678"
    assert crypto.blind_index("13812345678") == crypto.blind_index("13812345678")
    assert crypto.blind_index("13812345678") != crypto.blind_index("13812345679")


def test_phone_is_stored_encrypted_and_found_by_blind_index(worker):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_index FROM regions_gridworker WHERE id = %s", [worker.pk]
        )
        stored, index = cursor.fetchone()
    assert "13812345678" not in stored
    assert crypto.decrypt(stored) == "13812345678"
    assert GridWorker.objects.get(phone_index=crypto.blind_index("13812345678")) == worker
    assert GridWorker.objects.get(pk=worker.pk).phone == "13812345678"


def test_change_log_never_holds_the_phone_in_clear(worker):
    worker.phone = "13900001111"
    records.save_record(worker, actor=None)
    for change in ObjectChange.objects.filter(object_id=worker.pk):
        text = str(change.prechange_data) + str(change.postchange_data)
        assert "13812345678" not in text and "13900001111" not in text
    update = ObjectChange.objects.get(object_id=worker.pk, action="update")
    assert dict((f, (b, a)) for f, b, a in update.diff())["phone"] == ("138****5678", "139****1111")


def test_pages_and_api_show_the_phone_masked(client, api_client, tree, worker, make_user):
    user = make_user(perms=["regions.view_gridworker", "regions.view_region"], scope=[tree.city])
    client.force_login(user)
    for url in [
        f"/territory/grid-workers/{worker.pk}/",
        "/territory/grid-workers/",
        f"/territory/regions/{tree.grid_a1.pk}/",
        f"/territory/regions/{tree.grid_a1.pk}/card/",
    ]:
        page = client.get(url).content.decode()
        assert "138****5678" in page and "13812345678" not in page, url
    api_client.force_authenticate(user)
    body = api_client.get(f"/api/grid-workers/{worker.pk}/").json()
    assert body["phone_masked"] == "138****5678"
    assert "13812345678" not in str(body)


def test_export_masks_unless_the_role_may_see_sensitive_data(client, tree, worker, make_user):
    perms = ["regions.view_gridworker", "regions.export_gridworker"]
    client.force_login(make_user(perms=perms, scope=[tree.city]))
    text = client.get("/territory/grid-workers/export/?export_format=csv").getvalue().decode()
    assert "138****5678" in text and "13812345678" not in text
    client.force_login(make_user(perms=perms, scope=[tree.city], view_sensitive=True))
    text = client.get("/territory/grid-workers/export/?export_format=csv").getvalue().decode()
    assert "13812345678" not in text  # plaintext only when asked for, with a reason
    asked = "/territory/grid-workers/export/?export_format=csv&plaintext=1&reason=核对"
    assert "13812345678" in client.get(asked).getvalue().decode()


def test_filter_by_exact_phone_uses_the_blind_index(api_client, tree, worker, make_user):
    api_client.force_authenticate(make_user(perms=["regions.view_gridworker"], scope=[tree.city]))
    found = api_client.get("/api/grid-workers/", {"phone": "138-1234-5678"}).json()
    assert [w["id"] for w in found["results"]] == [worker.pk]
    assert api_client.get("/api/grid-workers/", {"phone": "13812345679"}).json()["count"] == 0
