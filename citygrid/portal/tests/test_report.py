from django.urls import reverse

from citygrid.cases.models import Case, CaseAttachment, CaseEvent
from citygrid.portal.models import HeldReport
from citygrid.portal.tests.conftest import jpeg


def test_report_page_lists_reportable_classes_without_staff_menu(client, category):
    response = client.get(reverse("portal:report"))
    assert response.status_code == 200
    body = response.content.decode()
    # Grouped by major class; each class carries the words a citizen may search it by.
    assert '<optgroup label="街面秩序（事件）">' in body
    assert (
        f'<option value="{category.pk}" data-search="占道施工 街面秩序">占道施工</option>' in body
    )
    assert 'name="token"' in body
    assert 'name="homepage"' in body
    assert "main-nav" not in body


def test_report_with_photo_and_position_creates_one_case(
    client, report_data, django_capture_on_commit_callbacks
):
    data = report_data()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:report"), data)
    assert response.status_code == 302
    assert response.url == reverse("portal:report_done")
    case = Case.objects.get()
    assert case.channel == "portal"
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
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("portal:report"), data)
    assert again.status_code == 302
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, action="report").count() == 1
    assert case.number in client.get(again.url).content.decode()
    # "已收到" with the case number and the follow link reaches the citizen's phone once.
    from citygrid.notify.models import SmsMessage

    sms = SmsMessage.objects.get()
    link = f"http://127.0.0.1:8000/portal/follow/?number={case.number}"
    assert (sms.phone, sms.template.code, sms.params) == (
        "13812345678",
        "case_received",
        {"number": case.number, "url": link},
    )
    assert "已收到" in sms.text and link in sms.text


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


def test_a_disabled_sms_template_never_costs_the_citizen_their_report(
    client, report_data, django_capture_on_commit_callbacks
):
    from citygrid.notify.models import SmsMessage, SmsTemplate

    SmsTemplate.objects.filter(code="case_received").update(active=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:report"), report_data())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.number in client.get(response.url).content.decode()
    assert not SmsMessage.objects.exists()


def test_the_seeded_classes_answer_to_citizens_words(client, category):
    """The words of the issue find their classes through the seeded common words; the search
    itself runs in the page (tests/e2e/test_citizens.py types them)."""
    import re

    body = client.get(reverse("portal:report")).content.decode()
    terms = dict(
        (name, search)
        for search, name in re.findall(r'data-search="([^"]*)">([^<]+)</option>', body)
    )
    assert "坑" in terms["道路破损"].split() and "坑洼" in terms["道路破损"].split()
    assert "路灯不亮" in terms["路灯"].split()
    assert "垃圾" in terms["暴露垃圾"].split()
    # A major class's words serve all its minor classes.
    assert "环境卫生" in terms["暴露垃圾"].split() and "环境卫生" in terms["油烟污染"].split()
    assert '<optgroup label="公用设施（部件问题）">' in body
