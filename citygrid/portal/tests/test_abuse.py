import pytest
from django.urls import reverse

from citygrid.cases.models import Case, CaseAttachment
from citygrid.portal.models import BlockedIp, BlockedPhone, HeldReport
from citygrid.portal.tests.conftest import jpeg

HELD_PERMS = ["portal.view_heldreport", "portal.change_heldreport", "cases.view_case"]


@pytest.fixture
def reviewer(make_user, tree):
    return make_user(perms=HELD_PERMS, scope=[tree.county_a], username="reviewer")


def test_over_the_phone_limit_is_held_then_released(
    client, report_data, settings, reviewer, make_user, tree
):
    settings.PORTAL_REPORTS_PER_PHONE = 2
    for _ in range(2):
        client.post(reverse("portal:report"), report_data())
    assert Case.objects.count() == 2
    response = client.post(
        reverse("portal:report"), report_data(description="第三次上报", anonymous="on")
    )
    assert response.status_code == 302
    assert Case.objects.count() == 2
    held = HeldReport.objects.get()
    assert held.status == "pending"
    assert held.reason == "rate_phone"
    assert held.description == "第三次上报"
    assert held.reporter_phone == "13812345678"
    assert held.anonymous is True
    assert held.region_code == "330101001001001"
    assert held.ip == "127.0.0.1"
    assert held.photos.count() == 1
    # The citizen is told it arrived, never that it was refused.
    done = client.get(response.url).content.decode()
    assert "工作人员审核后将尽快受理" in done

    # Outside the reviewer's territory it does not exist.
    outsider = make_user(perms=HELD_PERMS, scope=[tree.county_b], username="outsider")
    client.force_login(outsider)
    assert client.get(reverse("portal:heldreport", args=[held.pk])).status_code == 404
    assert client.post(reverse("portal:heldreport_release", args=[held.pk])).status_code == 404
    assert Case.objects.count() == 2

    client.force_login(reviewer)
    listing = client.get(reverse("portal:heldreport_list")).content.decode()
    assert "第三次上报" in listing
    page = client.get(reverse("portal:heldreport", args=[held.pk])).content.decode()
    assert "匿名" in page and "138****5678" not in page
    response = client.post(reverse("portal:heldreport_release", args=[held.pk]), follow=True)
    case = Case.objects.get(description="第三次上报")
    assert f"已放行，生成事件 {case.number}" in response.content.decode()
    assert case.channel == "portal"
    assert case.reporter_id is None
    assert case.anonymous is True
    assert case.reporter_phone == "13812345678"
    assert case.idempotency_key == held.idempotency_key
    assert CaseAttachment.objects.filter(case=case).count() == 1
    held.refresh_from_db()
    assert (held.status, held.case_id, held.reviewed_by_id) == ("released", case.pk, reviewer.pk)
    # A second release changes nothing.
    client.post(reverse("portal:heldreport_release", args=[held.pk]))
    assert Case.objects.count() == 3


def test_over_the_ip_limit_is_held(client, report_data, settings):
    settings.PORTAL_REPORTS_PER_IP = 1
    client.post(reverse("portal:report"), report_data(reporter_phone=""))
    client.post(reverse("portal:report"), report_data(reporter_phone=""))
    assert Case.objects.count() == 1
    assert HeldReport.objects.get().reason == "rate_ip"


def test_blocked_phone_is_held(client, report_data):
    BlockedPhone.objects.create(phone="13812345678", reason="恶意上报")
    response = client.post(reverse("portal:report"), report_data())
    assert response.status_code == 302
    assert Case.objects.count() == 0
    held = HeldReport.objects.get()
    assert held.reason == "blocked_phone"


def test_blocked_ip_is_held(client, report_data):
    BlockedIp.objects.create(ip="127.0.0.1")
    client.post(reverse("portal:report"), report_data(reporter_phone=""))
    assert Case.objects.count() == 0
    assert HeldReport.objects.get().reason == "blocked_ip"


def test_held_report_double_submit_holds_once(client, report_data):
    BlockedIp.objects.create(ip="127.0.0.1")
    data = report_data()
    client.post(reverse("portal:report"), data)
    data["photos"] = [jpeg()]
    client.post(reverse("portal:report"), data)
    assert HeldReport.objects.count() == 1


def test_held_bad_photo_is_refused_and_nothing_held(client, report_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    BlockedIp.objects.create(ip="127.0.0.1")
    fake = SimpleUploadedFile("x.png", b"junk", content_type="image/png")
    response = client.post(reverse("portal:report"), report_data(photos=[fake]))
    assert "文件不是有效的图片" in response.content.decode()
    assert HeldReport.objects.count() == 0


def test_discard_needs_a_reason(client, report_data, reviewer):
    BlockedIp.objects.create(ip="127.0.0.1")
    client.post(reverse("portal:report"), report_data())
    held = HeldReport.objects.get()
    client.force_login(reviewer)
    url = reverse("portal:heldreport_discard", args=[held.pk])
    response = client.post(url, {"note": " "}, follow=True)
    assert "请填写丢弃原因" in response.content.decode()
    held.refresh_from_db()
    assert held.status == "pending"
    client.post(url, {"note": "重复的广告信息"})
    held.refresh_from_db()
    assert (held.status, held.review_note, held.reviewed_by_id) == (
        "discarded",
        "重复的广告信息",
        reviewer.pk,
    )
    # A discarded report cannot be released afterwards.
    client.post(reverse("portal:heldreport_release", args=[held.pk]))
    assert Case.objects.count() == 0


def test_held_list_needs_the_permission(client, make_user, tree):
    user = make_user(perms=["cases.view_case"], scope=[tree.city])
    client.force_login(user)
    assert client.get(reverse("portal:heldreport_list")).status_code == 404


def test_menu_lists_the_review_page(client, reviewer):
    client.force_login(reviewer)
    body = client.get(reverse("portal:heldreport_list")).content.decode()
    assert "待审核群众上报" in body
    assert reverse("portal:heldreport_list") in body
