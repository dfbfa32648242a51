from django.urls import reverse

from citygrid.cases.models import Case, CaseAttachment, CaseEvent
from citygrid.portal.models import HeldReport
from citygrid.portal.tests.conftest import jpeg


def test_report_page_lists_reportable_classes_without_staff_menu(client, category):
    response = client.get(reverse("portal:report"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "街面秩序 / 占道施工" in body
    assert 'name="token"' in body
    assert 'name="homepage"' in body
    assert "main-nav" not in body


def test_report_with_photo_and_position_creates_one_case(client, report_data):
    data = report_data()
    response = client.post(reverse("portal:report"), data)
    assert response.status_code == 302
    assert response.url == reverse("portal:report_done")
    case = Case.objects.get()
    assert case.channel == "web"
    assert case.reporter_id is None
    assert case.reporter_name == "张小明"
    assert case.reporter_phone == "13812345678"
    assert (case.lng, case.lat) == (120.005, 30.005)
    assert case.region.code == "330101001001001"
    assert case.idempotency_key == f"portal:{data['token']}"
    assert CaseAttachment.objects.filter(case=case, stage="before").count() == 1
    done = client.get(response.url)
    assert case.number in done.content.decode()
    # The reporter's own session may follow the case at once.
    assert client.get(reverse("portal:case", args=[case.pk])).status_code == 200

    # The same form sent again (double tap, retry) makes no second case.
    data["photos"] = [jpeg()]
    again = client.post(reverse("portal:report"), data)
    assert again.status_code == 302
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, action="report").count() == 1
    assert case.number in client.get(again.url).content.decode()
    # The case number reaches the citizen's phone once, by template.
    from citygrid.notify.models import SmsMessage

    sms = SmsMessage.objects.get()
    assert (sms.phone, sms.template.code, sms.params) == (
        "13812345678",
        "case_number",
        {"number": case.number},
    )


def test_follow_form_takes_the_case_number_from_a_link(client):
    page = client.get(reverse("portal:follow"), {"number": "2026112900001"}).content.decode()
    assert 'value="2026112900001"' in page


def test_bad_photo_shows_clear_error_and_creates_nothing(client, report_data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(reverse("portal:report"), report_data(photos=[jpeg(), fake]))
    assert response.status_code == 200
    assert "文件不是有效的图片" in response.content.decode()
    assert Case.objects.count() == 0
    assert CaseAttachment.objects.count() == 0
    assert HeldReport.objects.count() == 0


def test_too_large_photo_is_refused(client, report_data, settings):
    settings.MAX_UPLOAD_BYTES = 100
    response = client.post(reverse("portal:report"), report_data())
    assert response.status_code == 200
    assert "图片过大" in response.content.decode()
    assert Case.objects.count() == 0


def test_position_outside_grids_is_refused_clearly(client, report_data):
    response = client.post(reverse("portal:report"), report_data(lng="121.5", lat="31.2"))
    assert response.status_code == 200
    assert "该位置不在任何网格内" in response.content.decode()
    assert Case.objects.count() == 0


def test_missing_position_is_asked_for(client, report_data):
    data = report_data()
    del data["lng"], data["lat"]
    response = client.post(reverse("portal:report"), data)
    assert "请在地图上选择位置或使用当前定位" in response.content.decode()
    assert Case.objects.count() == 0


def test_honeypot_filled_creates_nothing(client, report_data):
    response = client.post(reverse("portal:report"), report_data(homepage="http://spam"))
    assert response.status_code == 200
    assert "提交失败" in response.content.decode()
    assert Case.objects.count() == 0
    assert HeldReport.objects.count() == 0


def test_csrf_is_enforced(report_data):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("portal:report"), report_data())
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_anonymous_report_is_stored_anonymous(client, report_data):
    client.post(reverse("portal:report"), report_data(anonymous="on"))
    case = Case.objects.get()
    assert case.anonymous is True
    assert case.reporter_phone == "13812345678"


def test_a_disabled_sms_template_never_costs_the_citizen_their_report(client, report_data):
    from citygrid.notify.models import SmsMessage, SmsTemplate

    SmsTemplate.objects.filter(code="case_number").update(active=False)
    response = client.post(reverse("portal:report"), report_data())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.number in client.get(response.url).content.decode()
    assert not SmsMessage.objects.exists()
