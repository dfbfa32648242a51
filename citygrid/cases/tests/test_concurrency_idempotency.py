"""Two posts with one idempotency key at the same moment: one case, and no 500 for either."""

import threading

import pytest
from django.db import connection  # noqa: F401 (read by the skipif condition)
from rest_framework.test import APIClient

from citygrid.cases import intake
from citygrid.cases.models import Case
from citygrid.core.testing import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="concurrent inserts are tested on PostgreSQL (CI runs it)",
    ),
]

KEY = "phone-42-0002"


def test_two_api_posts_with_one_key_at_once_make_one_case(setup, monkeypatch):
    check = intake.earlier_case
    barrier = threading.Barrier(2, timeout=10)
    seen = threading.local()
    looks = []

    def both_look_before_either_inserts(report, actor):
        found = check(report, actor)
        looks.append(found)
        if not getattr(seen, "first", False):
            seen.first = True
            barrier.wait()
        return found

    monkeypatch.setattr(intake, "earlier_case", both_look_before_either_inserts)
    answers: list[tuple[int, int]] = []

    def post():
        client = APIClient()
        client.force_authenticate(setup.dispatcher)
        body = {
            "category": setup.category.pk,
            "description": "同时提交",
            "lng": 120.005,
            "lat": 30.005,
            "idempotency_key": KEY,
        }
        response = client.post("/api/cases/", body, format="json")
        answers.append((response.status_code, response.json().get("id")))

    at_once(post)
    case = Case.objects.get(idempotency_key=KEY)
    # Both found nothing and inserted; the later insert hit the unique key, looked again and
    # was answered with the earlier case.
    assert looks == [None, None, case]
    assert answers == [(201, case.pk), (201, case.pk)]
