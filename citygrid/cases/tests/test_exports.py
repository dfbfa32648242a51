"""Supervision orders, tasks and visits export like every list: scoped, filtered, logged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from citygrid.cases import actions
from citygrid.cases.models import Visit
from citygrid.cases.tests.conftest import jpeg
from citygrid.core.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(setup, report, tree):
    """A supervision order and a verification task on a case in A1, and a visit in A1."""
    case = report()
    actions.register_case(case, actor=setup.dispatcher)
    actions.dispatch_case(case, actor=setup.dispatcher)
    actions.accept_case(case, actor=setup.handler)
    actions.supervise_case(
        case,
        actor=setup.dispatcher,
        note="限期处理",
        required_by=timezone.now() + timedelta(days=2),
    )
    actions.report_back_case(case, actor=setup.handler, note="已处理", photos=[jpeg()])
    Visit.objects.create(
        region=tree.grid_a1,
        visitor=setup.dispatcher,
        target="独居老人王某",
        visited_at=timezone.now(),
        findings="身体良好",
    )
    return case


@pytest.mark.parametrize(
    ("url", "model", "marker"),
    [
        ("/cases/supervision/export/", "supervisionorder", "限期处理"),
        ("/cases/tasks/export/", "task", "核查事件"),
        ("/cases/visits/export/", "visit", "独居老人王某"),
    ],
)
def test_export_is_scoped_and_logged(client, records, make_user, tree, url, model, marker):
    perms = [f"cases.view_{model}", f"cases.export_{model}"]
    inside = make_user(perms=perms, scope=[tree.county_a])
    client.force_login(inside)
    text = client.get(url, {"export_format": "csv"}).getvalue().decode("utf-8-sig")
    assert marker in text and len(text.strip().splitlines()) == 2
    assert AccessLog.objects.get(user=inside, action="export").record_count == 1
    client.force_login(make_user(perms=perms, scope=[tree.county_b]))
    text = client.get(url, {"export_format": "csv"}).getvalue().decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1  # the header only
    client.force_login(make_user(perms=[f"cases.view_{model}"], scope=[tree.county_a]))
    assert client.get(url).status_code == 403
