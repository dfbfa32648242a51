"""Two people acting on the same case at once: exactly one wins (row lock on PostgreSQL)."""

import threading

import pytest
from django.db import connection

from citygrid.cases import actions
from citygrid.cases.models import CaseEvent
from citygrid.core.errors import ActionError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="row locks are tested on PostgreSQL (CI runs it)",
    ),
]


def test_two_dispatchers_register_at_once_exactly_one_succeeds(setup, report):
    case = report()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt():
        try:
            barrier.wait()
            actions.register_case(case, actor=setup.dispatcher)
            outcomes.append("ok")
        except ActionError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["invalid_transition", "ok"]
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1
