"""The verify page puts the report's photos (before) beside the department's (after); the
answer to a verification says who acts next and by when."""

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from citygrid.cases import actions
from citygrid.cases.intake import Report, report_case
from citygrid.mobile.tests.conftest import A1, jpeg

pytestmark = pytest.mark.django_db


def test_verify_page_shows_before_and_after_side_by_side(worker_client, field):
    case = report_case(
        Report(
            category=field.category,
            description="占道堆放",
            lng=A1[0],
            lat=A1[1],
            photos=[jpeg("a.jpg"), jpeg("b.jpg")],
        ),
        actor=field.dispatcher,
    )
    actions.register_case(case, actor=field.dispatcher)
    actions.dispatch_case(case, actor=field.dispatcher)
    actions.accept_case(case, actor=field.handler)
    actions.report_back_case(case, actor=field.handler, note="已清理", photos=[jpeg("c.jpg")])
    body = worker_client.get(reverse("mobile:verify", args=[case.pk])).content.decode()
    compare = body[body.index('id="verify-compare"') : body.index('id="verify-form"')]
    before = compare[compare.index('data-stage="before"') : compare.index('data-stage="after"')]
    after = compare[compare.index('data-stage="after"') :]
    assert '<div class="col-6" data-stage="before">' in compare  # two columns on a phone
    assert "处置前" in before and before.count('alt="处置前照片"') == 2
    assert "处置后" in after and after.count('alt="处置后照片"') == 1


def test_verify_page_says_when_the_report_had_no_photo(worker_client, to_verify):
    case = to_verify()
    body = worker_client.get(reverse("mobile:verify", args=[case.pk])).content.decode()
    assert "上报时未附照片" in body and body.count('alt="处置后照片"') == 1


def test_verify_answer_says_who_acts_next(worker_client, to_verify):
    case = to_verify()
    data = {"passed": "0", "note": "仍有堆放", "idempotency_key": "k-next-step-0001"}
    response = worker_client.post(reverse("mobile:api_verify", args=[case.pk]), data)
    assert response.status_code == 201
    case.refresh_from_db()
    deadline = f"{localtime(case.step_deadline):%Y-%m-%d %H:%M}"
    assert response.json()["next_step"] == f"下一步由 城管执法局 处置，时限 {deadline}"
