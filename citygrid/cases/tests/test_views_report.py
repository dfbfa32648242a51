"""Reporting a case from the web: the call-taker's form, and "转为事件" from field work."""

import pytest
from django.urls import reverse

from citygrid.cases.models import Case, CaseAttachment, CaseEvent, Task, Visit
from citygrid.cases.tests.conftest import jpeg

pytestmark = pytest.mark.django_db

URL = reverse("cases:case_add")
FIELD_PERMS = [
    "cases.view_case",
    "cases.add_case",
    "cases.view_visit",
    "cases.add_visit",
    "cases.view_task",
]


@pytest.fixture
def worker(make_user, tree):
    """A grid worker: reports cases, keeps a visit log, sees their tasks."""
    return make_user(perms=FIELD_PERMS, scope=[tree.county_a])


def form_data(setup, **overrides) -> dict:
    data = {
        "category": setup.category.pk,
        "description": "井盖缺失，行人易跌落",
        "address": "甲社区东门",
        "lng": "120.005",
        "lat": "30.005",
        "urgency": "urgent",
        "channel": "hotline",
        "reporter_name": "王小明",
        "reporter_phone": "139 1234 5678",
    }
    data.update(overrides)
    return data


def test_report_form_lists_active_minor_classes_grouped(client, setup):
    setup.other_category.active = False
    setup.other_category.save()
    client.force_login(setup.dispatcher)
    response = client.get(URL)
    assert response.status_code == 200
    field = response.context["form"].fields["category"]
    groups = {label: [str(c[0]) for c in choices] for label, choices in list(field.choices)[1:]}
    group = groups["事件 · 05 街面秩序"]
    assert str(setup.category.pk) in group and str(setup.other_category.pk) not in group
    assert all(label.startswith(("事件 · ", "部件问题 · ")) for label in groups)
    html = response.content.decode()
    assert '<optgroup label="事件 · 05 街面秩序">' in html
    assert reverse("api:region-locate") in html


def test_report_creates_a_case_with_photos(client, setup, tree):
    client.force_login(setup.dispatcher)
    response = client.post(URL, form_data(setup, photos=[jpeg("a.jpg"), jpeg("b.jpg")]))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert (case.state, case.region, case.urgency, case.channel) == (
        "reported",
        tree.grid_a1,
        "urgent",
        "hotline",
    )
    assert case.reporter == setup.dispatcher and case.reporter_phone == "13912345678"
    assert case.step == "register" and case.step_deadline is not None
    assert CaseAttachment.objects.filter(case=case, stage="before").count() == 2
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["report"]
    page = client.get(response["Location"]).content.decode()
    assert f"已登记事件 {case.number}" in page
    assert "139****5678" in page and "13912345678" not in page


def test_outside_every_grid_is_a_chinese_error_and_creates_nothing(client, setup):
    client.force_login(setup.dispatcher)
    response = client.post(URL, form_data(setup, lng="121.5", lat="31.2"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["该位置不在任何网格内，请核对位置"]
    assert "该位置不在任何网格内，请核对位置" in response.content.decode()
    assert not Case.objects.exists()
    assert not CaseAttachment.objects.exists()


def test_position_is_required(client, setup):
    client.force_login(setup.dispatcher)
    response = client.post(URL, form_data(setup, lng="", lat=""))
    assert response.context["form"].non_field_errors() == ["请在地图上点选事发位置"]
    assert not Case.objects.exists()


def test_position_outside_the_users_scope_is_refused(client, setup, tree):
    client.force_login(setup.inspector)  # scoped to county A; grid B1 lies in county B
    response = client.post(URL, form_data(setup, lng="120.105", lat="30.005"))
    assert response.context["form"].non_field_errors() == ["该位置不在您的管辖范围内"]
    assert not Case.objects.exists()


def test_bad_phone_and_bad_photo_are_form_errors(client, setup):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(setup.dispatcher)
    response = client.post(URL, form_data(setup, reporter_phone="12345"))
    assert response.context["form"].non_field_errors() == ["上报人手机号码格式不正确"]
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(URL, form_data(setup, photos=[fake]))
    assert response.context["form"].errors["photos"] == ["文件不是有效的图片"]
    assert not Case.objects.exists()


def test_report_needs_the_add_permission(client, setup, make_user, tree):
    client.force_login(
        make_user(perms=["cases.view_case", "cases.register_case"], scope=[tree.city])
    )
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(setup)).status_code == 403
    assert not Case.objects.exists()


def test_a_visit_becomes_a_case_in_one_step(client, setup, tree, worker):
    from django.utils import timezone

    visit = Visit.objects.create(
        visitor=worker,
        target="独居老人张某",
        visited_at=timezone.now(),
        place="甲社区3栋",
        lng=120.006,
        lat=30.004,
        findings="楼道堆放杂物堵塞消防通道",
        region=tree.grid_a1,
    )
    client.force_login(worker)
    visit_page = client.get(reverse("cases:visit", args=[visit.pk])).content.decode()
    assert f"{URL}?visit={visit.pk}" in visit_page
    response = client.get(URL, {"visit": visit.pk})
    form = response.context["form"]
    assert form.initial["description"] == "楼道堆放杂物堵塞消防通道"
    assert (form.initial["lng"], form.initial["lat"]) == (120.006, 30.004)
    assert form.initial["channel"] == "grid_app"
    data = form_data(
        setup,
        description=form.initial["description"],
        lng="120.006",
        lat="30.004",
        channel="grid_app",
        visit=visit.pk,
    )
    response = client.post(URL, data)
    case = Case.objects.get()
    visit.refresh_from_db()
    assert visit.case == case
    visit_page = client.get(reverse("cases:visit", args=[visit.pk])).content.decode()
    assert case.number in visit_page and f"?visit={visit.pk}" not in visit_page


def test_someone_elses_visit_is_not_relinked(client, setup, tree, worker, make_user):
    from django.utils import timezone

    visit = Visit.objects.create(
        visitor=worker,
        target="商铺",
        visited_at=timezone.now(),
        findings="占道经营",
        region=tree.grid_a1,
    )
    # A colleague may see the visit, but neither made it nor may edit it.
    client.force_login(make_user(perms=FIELD_PERMS, scope=[tree.county_a]))
    client.post(URL, form_data(setup, visit=visit.pk))
    visit.refresh_from_db()
    assert Case.objects.count() == 1 and visit.case is None


def test_a_patrol_task_prefills_the_grid_position(client, setup, tree, worker):
    task = Task.objects.create(kind="patrol", title="甲一网格日常巡查", region=tree.grid_a1)
    client.force_login(worker)
    response = client.get(URL, {"task": task.pk})
    form = response.context["form"]
    assert (form.initial["lng"], form.initial["lat"]) == (
        tree.grid_a1.center_lng,
        tree.grid_a1.center_lat,
    )
    assert "甲一网格日常巡查" in form.initial["description"]
