"""Two people acting on the same case at once: exactly one wins (row lock on PostgreSQL)."""

import pytest
from django.db import connection  # noqa: F401 (read by the skipif condition)

from citygrid.cases import actions
from citygrid.cases.models import CaseEvent
from citygrid.core.errors import ActionError
from citygrid.core.testing import at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="row locks are tested on PostgreSQL (CI runs it)",
    ),
]


def test_two_dispatchers_register_at_once_exactly_one_succeeds(setup, report):
    case = report()
    outcomes: list[str] = []

    def attempt():
        try:
            actions.register_case(case, actor=setup.dispatcher)
            outcomes.append("ok")
        except ActionError as exc:
            outcomes.append(exc.code)

    at_once(attempt)
    assert sorted(outcomes) == ["invalid_transition", "ok"]
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1
