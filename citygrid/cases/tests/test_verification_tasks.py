"""核查任务 about a person or a house: sent from above to the grid worker of the record's grid,
answered by that worker, the answer on the record's page and in the sender's notifications;
and patrol tasks a grid worker sets themselves."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.choices import TaskKind, TaskStatus
from citygrid.cases.fieldwork import answer_verification, create_own_patrol, send_verification
from citygrid.cases.models import Task
from citygrid.core.errors import ActionError
from citygrid.core.models import ObjectChange
from citygrid.housing.tests import factories as f
from citygrid.notify.models import Notification
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db

WORKER = ["cases.view_task", "cases.change_task", "people.view_person", "housing.view_house"]
SENDER = ["cases.view_task", "cases.send_verification_task", "people.view_person"]
SENDER += ["housing.view_house"]


def post(user, grid, role="grid_worker"):
    worker = GridWorker(region=grid, name=user.username, role=role, phone="13900001111", user=user)
    worker.full_clean()
    worker.save()
    return worker


@pytest.fixture
def people(tree, make_user):
    worker = make_user(perms=WORKER, scope=[tree.community_a], username="worker")
    post(worker, tree.grid_a1)
    street = make_user(perms=SENDER, scope=[tree.county_a], username="street")
    person = f.person(tree.grid_a1, "张三", f.ID_A)
    return worker, street, person


def test_sent_to_the_grid_worker_answered_and_the_sender_told(
    people, django_capture_on_commit_callbacks
):
    worker, street, person = people
    with django_capture_on_commit_callbacks(execute=True):
        task = send_verification(person, actor=street, instructions="核实现住地址")
    assert (task.kind, task.assignee, task.sender, task.person) == (
        TaskKind.VERIFICATION,
        worker,
        street,
        person,
    )
    assert task.region == person.region and task.title == "核查人员信息：张*"
    assert ObjectChange.objects.filter(object_id=task.pk, action="create").count() == 1
    [told] = Notification.objects.filter(recipient=worker)
    assert told.title == "新核查任务：核查人员信息：张*" and told.url == task.get_absolute_url()

    with django_capture_on_commit_callbacks(execute=True):
        answer_verification(
            task, actor=worker, outcome="incorrect", note="已搬走", corrections="现住乙一路3号"
        )
    task.refresh_from_db()
    assert (task.status, task.outcome, task.result, task.corrections) == (
        TaskStatus.DONE,
        "incorrect",
        "已搬走",
        "现住乙一路3号",
    )
    [answer] = Notification.objects.filter(recipient=street)
    assert answer.title == "核查结果：信息有误（核查人员信息：张*）"
    assert answer.url == person.get_absolute_url() and answer.level == "warning"


def test_only_the_assignee_answers_once(people, tree, make_user):
    worker, street, person = people
    task = send_verification(person, actor=street, instructions="核实")
    other = make_user(perms=WORKER, scope=[tree.community_a], username="other")
    with pytest.raises(ActionError) as refused:
        answer_verification(task, actor=other, outcome="confirmed", note="")
    assert refused.value.code == "permission_denied"
    with pytest.raises(ActionError) as refused:
        answer_verification(task, actor=worker, outcome="", note="")
    assert refused.value.code == "outcome_required"
    with pytest.raises(ActionError) as refused:
        answer_verification(task, actor=worker, outcome="incorrect", note=" ")
    assert refused.value.code == "corrections_required"
    task.refresh_from_db()
    assert (task.status, task.outcome) == (TaskStatus.OPEN, "")
    answer_verification(task, actor=worker, outcome="confirmed", note="")
    with pytest.raises(ActionError) as refused:
        answer_verification(task, actor=worker, outcome="incorrect", note="改口")
    assert refused.value.code == "task_not_open"
    task.refresh_from_db()
    assert task.outcome == "confirmed"


def test_refusals_send_nothing(people, tree, make_user):
    worker, street, person = people
    clerk = make_user(perms=["people.view_person"], scope=[tree.county_a], username="clerk")
    with pytest.raises(ActionError) as refused:
        send_verification(person, actor=clerk, instructions="核实")
    assert refused.value.code == "permission_denied"
    with pytest.raises(ActionError) as refused:
        send_verification(person, actor=street, instructions="  ")
    assert refused.value.code == "instructions_required"
    nobody = f.person(tree.grid_a2, "李四", f.ID_B)
    with pytest.raises(ActionError) as refused:
        send_verification(nobody, actor=street, instructions="核实")
    assert refused.value.code == "no_grid_worker"
    assert refused.value.message == "甲二网格暂无在岗网格员，无法发起核查"
    assert not Task.objects.exists()
    first = send_verification(person, actor=street, instructions="核实")
    with pytest.raises(ActionError) as refused:
        send_verification(person, actor=street, instructions="再核实")
    assert refused.value.code == "already_open"
    assert list(Task.objects.all()) == [first]
    answer_verification(first, actor=worker, outcome="confirmed", note="")
    assert send_verification(person, actor=street, instructions="再核实").pk != first.pk


def test_a_house_goes_to_its_grid_and_shows_on_its_page(people, client, tree):
    worker, street, _ = people
    house = f.house(f.building(tree.grid_a1, "2号楼"), "201", floor=2)
    client.force_login(street)
    url = reverse("housing:house_verification", args=[house.pk])
    page = client.get(url).content.decode()
    assert "派给" in page and "worker（网格员）" in page
    response = client.post(url, {"instructions": "核实是否空置", "end_date": ""})
    assert response.status_code == 302 and response.url == house.get_absolute_url()
    task = Task.objects.get(house=house)
    assert task.assignee == worker
    answer_verification(task, actor=worker, outcome="confirmed", note="确为空置")
    page = client.get(house.get_absolute_url()).content.decode()
    assert "核查任务" in page and "核实无误" in page and "确为空置" in page


def test_sender_only_on_records_of_their_territory(people, client, tree, make_user):
    worker, street, person = people
    far = f.person(tree.grid_b1, "王五", f.ID_C)
    client.force_login(street)
    assert client.get(reverse("people:person_verification", args=[far.pk])).status_code == 404
    response = client.post(
        reverse("people:person_verification", args=[far.pk]), {"instructions": "核实"}
    )
    assert response.status_code == 404
    client.force_login(worker)  # may see the person, may not send
    assert client.get(reverse("people:person_verification", args=[person.pk])).status_code == 403
    assert not Task.objects.exists()


def test_person_page_button_and_answer_on_the_desk(people, client):
    worker, street, person = people
    client.force_login(street)
    page = client.get(person.get_absolute_url()).content.decode()
    assert "发起核查" in page and "暂无核查任务" in page
    client.post(
        reverse("people:person_verification", args=[person.pk]), {"instructions": "核实电话"}
    )
    task = Task.objects.get(person=person)
    client.force_login(worker)
    assert "提交核查结论" in client.get(task.get_absolute_url()).content.decode()
    response = client.post(
        reverse("cases:task_answer", args=[task.pk]), {"outcome": "confirmed", "note": "无误"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.outcome, task.result) == (TaskStatus.DONE, "confirmed", "无误")
    client.force_login(street)
    page = client.get(person.get_absolute_url()).content.decode()
    assert "核实无误" in page and "核查情况：无误" in page


def test_grid_worker_sets_their_own_patrol_task(people, client, tree):
    worker, street, _ = people
    end = timezone.localdate() + timedelta(days=3)
    task = create_own_patrol(actor=worker, grid=tree.grid_a1, title="夜间巡查", end_date=end)
    assert (task.kind, task.assignee, task.sender, task.region) == (
        TaskKind.PATROL,
        worker,
        worker,
        tree.grid_a1,
    )
    assert timezone.localtime(task.due_at).date() == end
    with pytest.raises(ActionError) as refused:
        create_own_patrol(actor=worker, grid=tree.grid_a2, title="越界")
    assert refused.value.code == "not_own_grid"
    with pytest.raises(ActionError) as refused:
        create_own_patrol(actor=street, grid=tree.grid_a1, title="不是网格员")
    assert refused.value.code == "not_own_grid"
    with pytest.raises(ActionError) as refused:
        create_own_patrol(actor=worker, grid=tree.grid_a1, title="过期", end_date=date(2020, 1, 1))
    assert refused.value.code == "end_in_past"
    assert Task.objects.count() == 1

    client.force_login(worker)
    assert "新建我的巡查任务" in client.get(reverse("cases:task_list")).content.decode()
    response = client.post(
        reverse("cases:task_add_own"), {"grid": tree.grid_a1.pk, "title": "商铺走访"}
    )
    assert response.status_code == 302
    assert Task.objects.get(title="商铺走访").assignee == worker
    client.force_login(street)
    assert "新建我的巡查任务" not in client.get(reverse("cases:task_list")).content.decode()
    assert client.get(reverse("cases:task_add_own")).status_code == 403


def test_api_shows_the_answer(people, client):
    worker, street, person = people
    task = send_verification(person, actor=street, instructions="核实")
    answer_verification(task, actor=worker, outcome="confirmed", note="无误")
    client.force_login(street)
    row = client.get(f"/api/tasks/{task.pk}/").json()
    assert (row["person"], row["sender"], row["outcome"], row["instructions"]) == (
        person.pk,
        street.pk,
        "confirmed",
        "核实",
    )
