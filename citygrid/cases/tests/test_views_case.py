"""The case page: exactly the allowed actions per role, refusals that change nothing, scope, and
the whole workflow driven through the web endpoints."""

import re

import pytest
from django.urls import reverse

from citygrid.cases import actions
from citygrid.cases.models import Case, CaseEvent, SupervisionOrder
from citygrid.cases.tests.conftest import MONDAY_10, jpeg

pytestmark = pytest.mark.django_db


def page(client, case) -> str:
    response = client.get(reverse("cases:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def buttons(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z_]+)"', html))


def act(client, case, action, **data):
    return client.post(reverse("cases:case_act", args=[case.pk, action]), data, follow=True)


def dispatched(setup, report):
    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    return actions.dispatch_case(case, actor=setup.dispatcher, now=MONDAY_10)


@pytest.fixture
def nobody(make_user, tree):
    return make_user(perms=["cases.view_case"], scope=[tree.city])


def test_reported_case_offers_the_dispatcher_exactly_their_actions(client, setup, report, nobody):
    case = report()
    client.force_login(setup.dispatcher)
    assert buttons(page(client, case)) == {"register", "reject", "escalate", "merge"}
    for user in (setup.handler, setup.inspector, nobody):
        client.force_login(user)
        assert buttons(page(client, case)) == set()


def test_dispatched_case_buttons_per_role(client, setup, report, nobody):
    case = dispatched(setup, report)
    expected = {
        setup.dispatcher: {"suspend", "escalate", "supervise"},
        setup.handler: {"accept", "return"},
        setup.inspector: set(),
        nobody: set(),
    }
    for user, allowed in expected.items():
        client.force_login(user)
        assert buttons(page(client, case)) == allowed, user


def test_reported_back_case_is_the_inspectors(client, setup, report, nobody):
    case = dispatched(setup, report)
    actions.accept_case(case, actor=setup.handler, now=MONDAY_10)
    actions.report_back_case(
        case, actor=setup.handler, note="已清理", photos=[jpeg()], now=MONDAY_10
    )
    client.force_login(setup.inspector)
    assert buttons(page(client, case)) == {"verify_pass", "verify_fail"}
    client.force_login(setup.handler)
    assert buttons(page(client, case)) == set()
    client.force_login(setup.dispatcher)
    assert buttons(page(client, case)) == {"supervise"}


def test_a_non_member_handler_gets_no_department_actions(client, setup, report, make_user, tree):
    case = dispatched(setup, report)
    stranger = make_user(perms=["cases.view_case", "cases.handle_case"], scope=[tree.city])
    setup.other_department.members.add(stranger)
    client.force_login(stranger)
    assert buttons(page(client, case)) == set()


def test_action_not_allowed_changes_nothing_and_says_why(client, setup, report):
    case = report()
    events = CaseEvent.objects.filter(case=case).count()
    client.force_login(setup.handler)
    response = act(client, case, "register")
    assert response.status_code == 200
    assert "未能执行“受理立案”：您没有“受理立案”的权限" in response.content.decode()
    client.force_login(setup.dispatcher)
    response = act(client, case, "dispatch")
    assert "当前状态为“待受理”，不能执行“派遣”" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "reported"
    assert CaseEvent.objects.filter(case=case).count() == events


def test_missing_note_is_refused_with_the_engines_message(client, setup, report):
    case = report()
    client.force_login(setup.dispatcher)
    response = act(client, case, "reject", note="  ")
    assert "“不予立案”需要填写意见" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "reported" and case.events.count() == 1


def test_unknown_action_is_404_and_get_is_405(client, setup, report):
    case = report()
    client.force_login(setup.dispatcher)
    assert client.post(reverse("cases:case_act", args=[case.pk, "explode"])).status_code == 404
    assert client.get(reverse("cases:case_act", args=[case.pk, "register"])).status_code == 405


def test_out_of_scope_case_is_404_on_page_and_action(client, setup, report):
    case = report()
    client.force_login(setup.outsider)
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 404
    response = client.post(reverse("cases:case_act", args=[case.pk, "register"]))
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == "reported" and case.events.count() == 1


def test_page_without_view_permission_is_403(client, setup, report, make_user, tree):
    case = report()
    client.force_login(make_user(perms=["cases.register_case"], scope=[tree.city]))
    assert client.get(reverse("cases:case", args=[case.pk])).status_code == 403
    assert client.post(reverse("cases:case_act", args=[case.pk, "register"])).status_code == 404


def test_reporter_is_masked_on_the_page(client, setup, report):
    case = report(reporter_name="王小明", reporter_phone="13912345678")
    client.force_login(setup.dispatcher)
    html = page(client, case)
    assert "王*明" in html and "139****5678" in html
    assert "13912345678" not in html and "王小明" not in html


def test_dispatch_form_suggests_the_matrix_department(client, setup, report):
    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    client.force_login(setup.dispatcher)
    response = client.get(reverse("cases:case", args=[case.pk]))
    form = dict(response.context["action_forms"])
    dispatch = next(f for t, f in response.context["action_forms"] if t.action == "dispatch")
    assert dispatch.fields["department"].initial == setup.department
    assert set(dispatch.fields["department"].queryset) == {setup.department, setup.other_department}
    assert form  # the panel also holds suspend/escalate/merge
    response = act(client, case, "dispatch", department=setup.other_department.pk, note="转住建")
    case.refresh_from_db()
    assert case.state == "dispatched" and case.department == setup.other_department


def test_dispatch_to_a_department_outside_the_choices_is_refused(client, setup, report, tree):
    from citygrid.cases.models import Department

    far = Department.objects.create(name="乙区水务", code="SW02", region=tree.county_b)
    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    dispatcher = setup.dispatcher
    dispatcher.scope_regions.set([tree.county_a])
    client.force_login(dispatcher)
    response = act(client, case, "dispatch", department=far.pk)
    assert "派遣部门" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "registered" and case.department is None


def test_supervise_through_the_page_creates_an_order(client, setup, report):
    case = dispatched(setup, report)
    client.force_login(setup.dispatcher)
    response = act(
        client, case, "supervise", note="请加快处置", required_by="2030-01-01T10:00", level=2
    )
    assert "已执行“督办”" in response.content.decode()
    order = SupervisionOrder.objects.get(case=case)
    assert (order.level, order.department, order.instructions) == (
        2,
        setup.department,
        "请加快处置",
    )


def test_request_extension_and_evaluate_inputs_are_checked(client, setup, report):
    case = dispatched(setup, report)
    actions.accept_case(case, actor=setup.handler, now=MONDAY_10)
    client.force_login(setup.handler)
    response = act(client, case, "request_extension", hours="abc", note="材料未到")
    assert "延期时长" in response.content.decode()
    act(client, case, "request_extension", hours="8", note="材料未到")
    case.refresh_from_db()
    assert case.extension_hours == 8


def test_report_back_without_photo_or_with_a_non_image_is_refused(client, setup, report):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = dispatched(setup, report)
    actions.accept_case(case, actor=setup.handler, now=MONDAY_10)
    client.force_login(setup.handler)
    response = act(client, case, "report_back", note="已处理")
    assert "“处置反馈”需要上传照片" in response.content.decode()
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = act(client, case, "report_back", note="已处理", photos=[fake])
    assert "文件不是有效的图片" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "handling" and case.attachments.count() == 0


def test_duplicate_warning_links_the_other_case_and_offers_merge(client, setup, report):
    first = report()
    second = report(description="同一处建材")
    assert second.possible_duplicate_of == first
    client.force_login(setup.dispatcher)
    html = page(client, second)
    assert 'id="duplicate-warning"' in html and first.get_absolute_url() in html
    assert "merge" in buttons(html)
    response = client.get(reverse("cases:case", args=[second.pk]))
    merge = next(f for t, f in response.context["action_forms"] if t.action == "merge")
    assert merge.fields["into"].initial == first.number
    act(client, second, "merge", into=first.number)
    second.refresh_from_db()
    assert second.state == "merged" and second.merged_into == first
    assert second.number in page(client, first)


def test_merge_into_an_unknown_number_is_refused(client, setup, report):
    case = report()
    client.force_login(setup.dispatcher)
    response = act(client, case, "merge", into="000")
    assert "未找到编号为 000 的事件" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "reported"


def test_full_workflow_through_the_web(client, setup, tree):
    client.force_login(setup.dispatcher)
    response = client.post(
        reverse("cases:case_add"),
        {
            "category": setup.category.pk,
            "description": "人行道堆放建材",
            "address": "甲社区1号",
            "lng": "120.005",
            "lat": "30.005",
            "urgency": "normal",
            "channel": "hotline",
            "photos": [jpeg("before.jpg")],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()

    steps = [
        (setup.dispatcher, "register", {}),
        (setup.dispatcher, "dispatch", {"department": setup.department.pk}),
        (setup.handler, "accept", {}),
        (setup.handler, "report_back", {"note": "已清理", "photos": [jpeg("after.jpg")]}),
        (setup.inspector, "verify_pass", {"photos": [jpeg("check.jpg")]}),
        (setup.dispatcher, "close", {}),
        (setup.dispatcher, "evaluate", {"satisfaction": "5", "note": "满意"}),
    ]
    for user, action, data in steps:
        client.force_login(user)
        response = act(client, case, action, **data)
        assert response.status_code == 200
        assert "未能执行" not in response.content.decode(), (action, response.content.decode())

    case.refresh_from_db()
    assert (case.state, case.satisfaction, case.department) == ("closed", 5, setup.department)
    client.force_login(setup.dispatcher)
    html = page(client, case)
    assert re.findall(r'data-event="([a-z_]+)"', html) == [
        "report",
        "register",
        "dispatch",
        "accept",
        "report_back",
        "verify_pass",
        "close",
        "evaluate",
    ]
    response = client.get(reverse("cases:case", args=[case.pk]))
    rows = {row.event.action: row for row in response.context["timeline"]}
    assert [p.stage for p in rows["report"].photos] == ["before"]
    assert [p.stage for p in rows["report_back"].photos] == ["after"]
    assert [p.stage for p in rows["verify_pass"].photos] == ["verify"]
    for photo in case.attachments.all():
        assert photo.thumbnail.url in html
    assert rows["register"].finished_step == "受理立案"
    assert rows["register"].used_hours is not None and rows["register"].limit_hours == 1
    assert rows["dispatch"].event.department == setup.department
    assert rows["evaluate"].detail == "满意度 5 分"


def test_timeline_counts_approved_extensions_in_the_limit(client, setup, report):
    from datetime import timedelta

    case = dispatched(setup, report)
    later = MONDAY_10 + timedelta(hours=1)
    actions.accept_case(case, actor=setup.handler, now=MONDAY_10)
    actions.request_extension(case, actor=setup.handler, hours=8, note="等材料", now=later)
    actions.approve_extension(case, actor=setup.dispatcher, now=later)
    actions.report_back_case(case, actor=setup.handler, note="已清理", photos=[jpeg()], now=later)
    client.force_login(setup.dispatcher)
    rows = {r.event.action: r for r in client.get(case.get_absolute_url()).context["timeline"]}
    assert rows["approve_extension"].detail == "延期 8 工作时"
    assert rows["report_back"].finished_step == "处置"
    assert (rows["report_back"].used_hours, rows["report_back"].limit_hours) == (1, 24 + 8)
    assert rows["accept"].limit_hours == 2  # the accept step's default limit


def test_timeline_limits_come_from_the_time_limit_table(client, setup, report):
    from citygrid.cases.models import TimeLimit

    # The case's urgency counts, in the row's own unit: one working day is 7.5 working hours.
    TimeLimit.objects.create(
        category=setup.category, urgency="normal", step="dispatch", amount=1, unit="working_days"
    )
    TimeLimit.objects.create(
        category=setup.category, urgency="urgent", step="register", amount=3, unit="working_hours"
    )
    case = dispatched(setup, report)
    client.force_login(setup.dispatcher)
    rows = {r.event.action: r for r in client.get(case.get_absolute_url()).context["timeline"]}
    assert rows["dispatch"].limit_hours == 7.5
    assert rows["register"].limit_hours == 1  # the default: the urgent row is not this case's
