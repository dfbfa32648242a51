"""The grid app's task pages: answering a 核查任务 about a person or a house, and setting
myself a patrol task — each once per idempotency key, only my own."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.choices import TaskStatus
from citygrid.cases.fieldwork import send_verification
from citygrid.cases.models import Task
from citygrid.housing.tests import factories as f
from citygrid.mobile.models import SubmittedAction
from citygrid.mobile.tests.conftest import grid_post
from citygrid.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(make_user, tree):
    perms = ["cases.view_task", "cases.send_verification_task", "people.view_person"]
    return make_user(perms=[*perms, "housing.view_house"], scope=[tree.county_a], username="st")


@pytest.fixture
def sent(field, tree, street):
    """A 核查任务 about a person of grid A1 (the worker's grid)."""
    grid_post(field.worker, tree.grid_a1, role="grid_worker", phone="13900002222")
    person = f.person(tree.grid_a1, "张小三", f.ID_A)
    return send_verification(person, actor=street, instructions="核实现住地址")


def answer(client, task, **fields):
    data = {"outcome": "confirmed", "note": "", "idempotency_key": str(uuid.uuid4()), **fields}
    return client.post(reverse("mobile:api_answer", args=[task.pk]), data), data


def test_verification_task_is_listed_shown_masked_and_answered_once(
    worker_client, sent, street, django_capture_on_commit_callbacks
):
    home = worker_client.get(reverse("mobile:home")).content.decode()
    url = reverse("mobile:answer", args=[sent.pk])
    assert url in home and "核实现住地址" in home and "st 发起" in home
    page = worker_client.get(url).content.decode()
    assert "张*三" in page and "张小三" not in page  # the role may not see names in full
    assert "核实无误" in page and "信息有误" in page
    with django_capture_on_commit_callbacks(execute=True):
        response, data = answer(
            worker_client, sent, outcome="incorrect", note="已搬离", corrections="现住乙一路"
        )
    assert response.status_code == 201, response.json()
    assert response.json() == {"id": sent.pk, "outcome_label": "信息有误", "created": True}
    again = worker_client.post(reverse("mobile:api_answer", args=[sent.pk]), data)
    assert again.status_code == 200 and again.json()["created"] is False
    sent.refresh_from_db()
    assert (sent.status, sent.outcome, sent.corrections) == (
        TaskStatus.DONE,
        "incorrect",
        "现住乙一路",
    )
    assert SubmittedAction.objects.filter(kind="answer", task=sent).count() == 1
    assert Notification.objects.filter(recipient=street, title__startswith="核查结果").count() == 1
    assert worker_client.get(url).status_code == 404


def test_answer_refusals_change_nothing(worker_client, sent, client, field):
    response, _ = answer(worker_client, sent, outcome="")
    assert response.status_code == 400 and response.json()["message"] == "请选择核查结论"
    response, _ = answer(worker_client, sent, outcome="incorrect")
    assert response.status_code == 400 and response.json()["code"] == "corrections_required"
    client.force_login(field.outsider)
    response, _ = answer(client, sent)
    assert response.status_code == 404
    assert client.get(reverse("mobile:answer", args=[sent.pk])).status_code == 404
    sent.refresh_from_db()
    assert (sent.status, sent.outcome) == (TaskStatus.OPEN, "")
    assert not SubmittedAction.objects.exists()


def test_worker_sets_a_patrol_task_in_their_own_grid_once(worker_client, field, tree):
    page = worker_client.get(reverse("mobile:new_patrol")).content.decode()
    assert "甲一网格" in page and "乙一网格" not in page
    end = timezone.localdate() + timedelta(days=2)
    data = {
        "grid": tree.grid_a1.pk,
        "title": "夜间巡查",
        "end_date": end.isoformat(),
        "frequency": "每日一次",
        "instructions": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    response = worker_client.post(reverse("mobile:api_own_patrol"), data)
    assert response.status_code == 201, response.json()
    again = worker_client.post(reverse("mobile:api_own_patrol"), data)
    assert again.status_code == 200 and again.json()["created"] is False
    task = Task.objects.get()
    assert (task.assignee, task.region, task.kind, task.frequency) == (
        field.worker,
        tree.grid_a1,
        "patrol",
        "每日一次",
    )
    assert reverse("mobile:patrol", args=[task.pk]) in worker_client.get("/m/").content.decode()


def test_patrol_only_in_my_grids_and_with_a_title(worker_client, tree):
    data = {"grid": tree.grid_a2.pk, "title": "越界", "idempotency_key": str(uuid.uuid4())}
    response = worker_client.post(reverse("mobile:api_own_patrol"), data)
    assert response.status_code == 403 and response.json()["code"] == "not_own_grid"
    data = {"grid": tree.grid_a1.pk, "title": "", "idempotency_key": str(uuid.uuid4())}
    response = worker_client.post(reverse("mobile:api_own_patrol"), data)
    assert response.status_code == 400 and response.json()["message"] == "请填写任务标题"
    assert not Task.objects.exists() and not SubmittedAction.objects.exists()


def test_schema_lists_the_task_endpoints(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert list(paths["/m/api/tasks/{task_id}/answer/"]) == ["post"]
    assert list(paths["/m/api/tasks/"]) == ["post"]
