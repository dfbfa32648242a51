"""Patrol tasks and the visit log."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.models import Task, Visit

pytestmark = pytest.mark.django_db

TASK_PERMS = ["cases.view_task", "cases.add_task", "cases.change_task"]
VISIT_PERMS = ["cases.view_visit", "cases.add_visit", "cases.change_visit"]


@pytest.fixture
def leader(make_user, tree):
    return make_user(perms=TASK_PERMS + VISIT_PERMS, scope=[tree.county_a])


@pytest.fixture
def worker(make_user, tree):
    return make_user(perms=["cases.view_task", *VISIT_PERMS], scope=[tree.grid_a1])


def task_data(tree, worker, **overrides) -> dict:
    data = {
        "region": tree.grid_a1.pk,
        "title": "甲一网格日常巡查",
        "assignee": worker.pk,
        "start_date": "2026-12-01",
        "end_date": "2026-12-31",
        "frequency": "每日一次",
        "checkpoints_text": "东门,120.0051,30.0032\n西门，120.0012，30.0041\n",
    }
    data.update(overrides)
    return data


def test_patrol_task_with_checkpoints(client, tree, leader, worker):
    client.force_login(leader)
    response = client.post(reverse("cases:task_add"), task_data(tree, worker))
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    assert (task.kind, task.status, task.region, task.assignee) == (
        "patrol",
        "open",
        tree.grid_a1,
        worker,
    )
    assert task.checkpoints == [
        {"name": "东门", "lng": 120.0051, "lat": 30.0032},
        {"name": "西门", "lng": 120.0012, "lat": 30.0041},
    ]
    assert timezone.localtime(task.due_at).date() == date(2026, 12, 31)
    page = client.get(task.get_absolute_url()).content.decode()
    assert "东门" in page and "case-countdown" in page


def test_bad_checkpoints_and_dates_are_form_errors(client, tree, leader, worker):
    client.force_login(leader)
    data = task_data(
        tree, worker, checkpoints_text="东门,120.0051\n西门,abc,30\n", end_date="2026-11-01"
    )
    response = client.post(reverse("cases:task_add"), data)
    errors = response.context["form"].errors
    assert errors["checkpoints_text"] == ["第1行应为“名称,经度,纬度”", "第2行的经纬度不是数字"]
    assert errors["end_date"] == ["结束日期不能早于开始日期"]
    assert not Task.objects.exists()


def test_task_grid_must_be_in_scope(client, tree, leader, worker):
    client.force_login(leader)
    response = client.post(
        reverse("cases:task_add"), task_data(tree, worker, region=tree.grid_b1.pk)
    )
    assert "region" in response.context["form"].errors
    assert not Task.objects.exists()


def test_task_list_puts_my_tasks_first(client, tree, worker, leader):
    other = Task.objects.create(kind="patrol", title="别人的", region=tree.grid_a1, assignee=leader)
    mine = Task.objects.create(kind="patrol", title="我的", region=tree.grid_a1, assignee=worker)
    outside = Task.objects.create(kind="patrol", title="乙区的", region=tree.grid_b1)
    client.force_login(worker)
    response = client.get(reverse("cases:task_list"))
    shown = [row.record.pk for row in response.context["table"].page.object_list]
    assert shown == [mine.pk, other.pk]
    assert outside.pk not in shown


def test_assignee_marks_the_task_done(client, tree, worker, leader):
    task = Task.objects.create(kind="patrol", title="巡查", region=tree.grid_a1, assignee=worker)
    client.force_login(worker)
    assert 'id="done-form"' in client.get(task.get_absolute_url()).content.decode()
    response = client.post(reverse("cases:task_done", args=[task.pk]), {"result": ""}, follow=True)
    assert "请填写执行情况" in response.content.decode()
    response = client.post(
        reverse("cases:task_done", args=[task.pk]), {"result": "无异常"}, follow=True
    )
    assert "任务“巡查”已完成" in response.content.decode()
    task.refresh_from_db()
    assert (task.status, task.result) == ("done", "无异常") and task.done_at is not None


def test_someone_else_cannot_finish_my_task(client, tree, worker, make_user):
    task = Task.objects.create(kind="patrol", title="巡查", region=tree.grid_a1, assignee=worker)
    colleague = make_user(perms=["cases.view_task"], scope=[tree.grid_a1])
    client.force_login(colleague)
    assert 'id="done-form"' not in client.get(task.get_absolute_url()).content.decode()
    response = client.post(
        reverse("cases:task_done", args=[task.pk]), {"result": "代办"}, follow=True
    )
    assert "只有执行人可以完成此任务" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "open"
    outsider = make_user(perms=TASK_PERMS, scope=[tree.county_b])
    client.force_login(outsider)
    assert (
        client.post(reverse("cases:task_done", args=[task.pk]), {"result": "x"}).status_code == 404
    )


def test_verification_task_is_finished_on_the_case(client, tree, setup, report, make_user):
    case = report()
    task = Task.objects.create(kind="verification", title="核查", region=tree.grid_a1, case=case)
    user = make_user(perms=TASK_PERMS + ["cases.view_case"], scope=[tree.city])
    client.force_login(user)
    page = client.get(task.get_absolute_url()).content.decode()
    assert 'id="done-form"' not in page and case.get_absolute_url() in page
    response = client.post(reverse("cases:task_done", args=[task.pk]), {"result": "x"}, follow=True)
    assert "核查任务随事件核查自动完成" in response.content.decode()


def test_visit_position_finds_the_grid(client, tree, worker):
    client.force_login(worker)
    response = client.post(
        reverse("cases:visit_add"),
        {
            "target": "独居老人张某",
            "visited_at": "2026-11-28T09:30",
            "place": "甲社区3栋",
            "lng": "120.006",
            "lat": "30.004",
            "findings": "身体良好",
            "next_visit": "2026-12-28",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert (visit.region, visit.visitor, visit.lng) == (tree.grid_a1, worker, 120.006)
    response = client.get(reverse("cases:visit_list"))
    assert [row.record.pk for row in response.context["table"].page.object_list] == [visit.pk]


def test_visit_needs_a_grid_in_scope(client, tree, worker):
    client.force_login(worker)
    data = {"target": "商铺", "visited_at": "2026-11-28T09:30", "findings": "正常"}
    response = client.post(reverse("cases:visit_add"), data)
    assert response.context["form"].errors["region"] == ["请选择网格，或在地图上点选走访位置"]
    response = client.post(reverse("cases:visit_add"), {**data, "lng": "120.015", "lat": "30.005"})
    assert response.context["form"].non_field_errors() == [
        "该位置不在您管辖的任何网格内，请核对位置"
    ]
    response = client.post(reverse("cases:visit_add"), {**data, "region": tree.grid_a1.pk})
    assert response.status_code == 302
    assert Visit.objects.get().region == tree.grid_a1
