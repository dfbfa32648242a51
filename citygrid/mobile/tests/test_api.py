"""The grid app's JSON endpoints: each upload acts once per key, inside the worker's scope."""

import uuid

import pytest
from django.urls import reverse

from citygrid.cases.choices import CaseState, Channel, TaskStatus
from citygrid.cases.models import Case, CaseAttachment, CaseEvent, Task, Visit
from citygrid.mobile.models import SubmittedAction
from citygrid.mobile.tests.conftest import A1, A2, B1, jpeg

pytestmark = pytest.mark.django_db


def key() -> str:
    return str(uuid.uuid4())


def report(client, field, position=A1, **extra):
    data = {
        "category": field.category.pk,
        "description": "人行道上堆放建材",
        "lng": position[0],
        "lat": position[1],
        "accuracy": 12,
        "idempotency_key": key(),
        **extra,
    }
    return client.post(reverse("mobile:api_report"), data)


def test_report_with_photo_creates_one_case_per_key(worker_client, field, tree):
    k = key()
    first = report(worker_client, field, idempotency_key=k, photos=[jpeg()])
    again = report(worker_client, field, idempotency_key=k, photos=[jpeg()])
    assert first.status_code == 201
    assert again.status_code == 200
    case = Case.objects.get()
    assert first.json() == {
        "id": case.pk,
        "number": case.number,
        "created": True,
        "region": "甲一网格",
        "outside_own_grid": False,
    }
    assert again.json()["created"] is False and again.json()["number"] == case.number
    assert case.idempotency_key == k
    assert case.region == tree.grid_a1
    assert case.reporter == field.worker
    # The worker holds only a 监督员 post.
    assert case.channel == Channel.INSPECTOR
    assert CaseAttachment.objects.filter(case=case, stage="before").count() == 1
    event = CaseEvent.objects.get(case=case, action="report")
    assert "flags" not in event.data


def test_report_outside_own_grid_is_flagged_and_stays_where_it_is(worker_client, field, tree):
    response = report(worker_client, field, position=A2)
    assert response.status_code == 201
    assert response.json()["outside_own_grid"] is True
    case = Case.objects.get()
    assert case.region == tree.grid_a2
    assert (case.lng, case.lat) == A2
    assert CaseEvent.objects.get(case=case, action="report").data["flags"] == ["outside_own_grid"]


def test_report_outside_scope_is_refused_and_creates_nothing(worker_client, field):
    response = report(worker_client, field, position=B1, photos=[jpeg()])
    assert response.status_code == 403
    assert response.json()["code"] == "out_of_scope"
    assert response.json()["message"] == "该位置不在您的管辖范围内"
    assert Case.objects.count() == 0
    assert CaseAttachment.objects.count() == 0


def test_report_bad_input_answers_in_chinese(worker_client, field):
    response = report(worker_client, field, description="")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["message"] == "请填写问题描述"
    bad_photo = report(worker_client, field, photos=[jpeg_bytes_not_image()])
    assert bad_photo.status_code == 400
    assert bad_photo.json()["code"] == "invalid_photo"
    missing_key = report(worker_client, field, idempotency_key="")
    assert missing_key.json()["errors"]["idempotency_key"] == ["缺少提交编号"]
    assert Case.objects.count() == 0


def jpeg_bytes_not_image():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")


def test_key_of_another_user_is_refused(client, field):
    k = key()
    client.force_login(field.worker)
    assert report(client, field, idempotency_key=k).status_code == 201
    client.force_login(field.dispatcher)
    response = report(client, field, idempotency_key=k)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_anonymous_gets_401_json(client, field):
    response = report(client, field)
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "登录已过期，请重新登录",
        "errors": {},
    }
    assert Case.objects.count() == 0


def test_session_post_without_csrf_token_is_refused(field):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(field.worker)
    response = report(client, field)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Case.objects.count() == 0


def test_too_many_photos_are_refused(worker_client, field):
    response = report(worker_client, field, photos=[jpeg(f"{n}.jpg") for n in range(10)])
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_photos"
    assert response.json()["message"] == "照片最多 9 张"
    assert Case.objects.count() == 0


def verify(client, case, **extra):
    data = {"passed": "1", "note": "现场已恢复", "idempotency_key": key(), **extra}
    return client.post(reverse("mobile:api_verify", args=[case.pk]), data)


def test_verification_is_done_once_per_key(worker_client, field, to_verify):
    case = to_verify()
    k = key()
    first = verify(worker_client, case, idempotency_key=k, photos=[jpeg("check.jpg")])
    again = verify(worker_client, case, idempotency_key=k, photos=[jpeg("check.jpg")])
    assert first.status_code == 201
    assert first.json()["state"] == CaseState.VERIFIED
    assert first.json()["state_label"] == "待结案"
    assert again.status_code == 200
    assert again.json()["created"] is False
    case.refresh_from_db()
    assert case.state == CaseState.VERIFIED
    assert CaseEvent.objects.filter(case=case, action="verify_pass").count() == 1
    assert CaseAttachment.objects.filter(case=case, stage="verify").count() == 1
    assert SubmittedAction.objects.get(key=k).case == case
    task = Task.objects.get(case=case, kind="verification")
    assert (task.status, task.result) == (TaskStatus.DONE, "通过")


def test_failed_verification_sends_the_case_back(worker_client, field, to_verify):
    case = to_verify()
    response = verify(worker_client, case, passed="0", note="仍有建材未清")
    assert response.status_code == 201
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING
    assert CaseEvent.objects.get(case=case, action="verify_fail").note == "仍有建材未清"


def test_verification_outside_scope_is_404_and_changes_nothing(worker_client, field, to_verify):
    case = to_verify(*B1)
    response = verify(worker_client, case)
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.REPORTED_BACK
    assert SubmittedAction.objects.count() == 0
    assert not CaseEvent.objects.filter(case=case, action__startswith="verify").exists()


def test_refused_verification_leaves_its_key_free(worker_client, field, to_verify):
    case = to_verify()
    k = key()
    verify(worker_client, case, idempotency_key=k)
    again = verify(worker_client, case, idempotency_key=key())
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert SubmittedAction.objects.count() == 1


def visit(client, **extra):
    data = {
        "target": "独居老人李某家",
        "findings": "身体状况良好，已提醒用电安全",
        "visited_at": "2026-03-02T09:30:00+08:00",
        "lng": A1[0],
        "lat": A1[1],
        "idempotency_key": key(),
        **extra,
    }
    return client.post(reverse("mobile:api_visit"), data)


def test_visit_is_logged_once_per_key(worker_client, field, tree):
    k = key()
    first = visit(worker_client, idempotency_key=k)
    again = visit(worker_client, idempotency_key=k)
    assert first.status_code == 201
    assert again.status_code == 200 and again.json()["created"] is False
    entry = Visit.objects.get()
    assert first.json() == {"id": entry.pk, "region": "甲一网格", "created": True}
    assert entry.region == tree.grid_a1
    assert entry.visitor == field.worker
    assert entry.findings == "身体状况良好，已提醒用电安全"
    assert entry.visited_at.isoformat() == "2026-03-02T01:30:00+00:00"


def test_visit_without_position_goes_to_my_grid(worker_client, tree):
    response = visit(worker_client, lng="", lat="")
    assert response.status_code == 201
    assert Visit.objects.get().region == tree.grid_a1


def test_visit_outside_scope_is_refused(worker_client):
    response = visit(worker_client, lng=B1[0], lat=B1[1])
    assert response.status_code == 403
    assert response.json()["message"] == "该位置不在您的管辖范围内"
    assert Visit.objects.count() == 0
    assert SubmittedAction.objects.count() == 0


def test_visit_needs_findings(worker_client):
    response = visit(worker_client, findings="")
    assert response.status_code == 400
    assert response.json()["message"] == "请填写走访情况"
    assert response.json()["errors"]["findings"] == ["请填写走访情况"]
    assert Visit.objects.count() == 0


@pytest.fixture
def residents(tree):
    from citygrid.housing.models import House
    from citygrid.housing.tests import factories

    a1 = factories.person(tree.grid_a1, "张三明", factories.id_number(1))
    a1.phone = "13812345678"
    a1.save()
    factories.person(tree.grid_a2, "张四", factories.id_number(2))
    factories.person(tree.grid_b1, "张五", factories.id_number(3))
    bld = factories.building(tree.grid_a1)
    house = House.objects.filter(building=bld).first() or factories.house(bld)
    house.owner_name = "王大明"
    house.owner_phone = "13900008888"
    house.address = "甲社区幸福路1号101"
    house.save()
    return a1, house


def test_people_of_my_grid_are_masked(worker_client, residents):
    person, _ = residents
    response = worker_client.post(reverse("mobile:api_people"), {"q": "张"})
    assert response.status_code == 200
    rows = response.json()["results"]
    # Only grid A1 (the worker's post), not A2 of the same community nor B1.
    assert [r["id"] for r in rows] == [person.pk]
    row = rows[0]
    assert row["name"] == "张*明"
    assert row["phone"] == "138****5678"
    assert row["id_number"] == person.masked("id_number")
    assert "张三明" not in response.content.decode()
    assert "13812345678" not in response.content.decode()


def test_people_in_clear_for_a_role_that_may_see_them(client, field, make_user, tree, residents):
    from citygrid.mobile.tests.conftest import WORKER_PERMS, grid_post

    officer = make_user(perms=WORKER_PERMS, scope=[tree.grid_a1], view_sensitive=True)
    grid_post(officer, tree.grid_a1, phone="13900004444")
    client.force_login(officer)
    row = client.post(reverse("mobile:api_people"), {"q": "张三"}).json()["results"][0]
    assert row["name"] == "张三明"
    assert row["phone"] == "138****5678"


def test_people_lookup_needs_the_permission(client, make_user, tree, residents):
    user = make_user(perms=["cases.view_case"], scope=[tree.grid_a1])
    client.force_login(user)
    response = client.post(reverse("mobile:api_people"), {"q": "张"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_people_outside_scope_are_not_found(client, field, residents):
    client.force_login(field.outsider)
    assert client.post(reverse("mobile:api_people"), {"q": "张三"}).json()["results"] == []


def test_houses_of_my_grid_with_owner_masked(worker_client, residents):
    _, house = residents
    response = worker_client.post(reverse("mobile:api_houses"), {"q": "幸福路"})
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [house.pk]
    assert rows[0]["owner_name"] == "王*明"
    assert rows[0]["owner_phone"] == "139****8888"
    assert "王大明" not in response.content.decode()


def test_lookup_is_post_only(worker_client):
    assert worker_client.get(reverse("mobile:api_people") + "?q=张").status_code == 405


@pytest.fixture
def patrol_task(field, tree):
    return Task.objects.create(
        region=tree.grid_a1, kind="patrol", title="早巡：幸福路沿线", assignee=field.worker
    )


def patrol(client, task, **extra):
    data = {"idempotency_key": key(), "result": "沿线正常，无占道", **extra}
    return client.post(reverse("mobile:api_patrol", args=[task.pk]), data), data


def test_patrol_task_is_finished_once_per_key(worker_client, patrol_task):
    home = worker_client.get(reverse("mobile:home")).content.decode()
    assert reverse("mobile:patrol", args=[patrol_task.pk]) in home
    assert worker_client.get(reverse("mobile:patrol", args=[patrol_task.pk])).status_code == 200
    response, data = patrol(worker_client, patrol_task)
    assert response.status_code == 201, response.json()
    patrol_task.refresh_from_db()
    assert (patrol_task.status, patrol_task.result) == (TaskStatus.DONE, "沿线正常，无占道")
    done_at = patrol_task.done_at
    again = worker_client.post(reverse("mobile:api_patrol", args=[patrol_task.pk]), data)
    assert again.status_code == 200 and again.json()["created"] is False
    patrol_task.refresh_from_db()
    assert patrol_task.done_at == done_at
    assert SubmittedAction.objects.filter(kind="patrol", task=patrol_task).count() == 1
    # Done tasks leave the list and their page.
    assert worker_client.get(reverse("mobile:patrol", args=[patrol_task.pk])).status_code == 404


def test_patrol_needs_a_result_and_my_own_open_task(worker_client, patrol_task, field, tree):
    response, _ = patrol(worker_client, patrol_task, result="")
    assert response.status_code == 400
    assert response.json()["errors"]["result"] == ["请填写巡查情况"]
    outside = Task.objects.create(region=tree.grid_b1, kind="patrol", title="乙区巡查")
    response, _ = patrol(worker_client, outside)
    assert response.status_code == 404
    patrol_task.refresh_from_db()
    outside.refresh_from_db()
    assert patrol_task.status == outside.status == TaskStatus.OPEN
    assert not SubmittedAction.objects.filter(kind="patrol").exists()


def test_openapi_schema_documents_the_grid_app(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for path in [
        "/m/api/reports/",
        "/m/api/cases/{case_id}/verify/",
        "/m/api/tasks/{task_id}/patrol/",
        "/m/api/visits/",
        "/m/api/people/",
        "/m/api/houses/",
    ]:
        assert list(paths[path]) == ["post"], path
    upload = paths["/m/api/reports/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"201", "200", "400", "401", "403", "409"} <= set(upload["responses"])
