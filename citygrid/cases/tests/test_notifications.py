"""Who hears about a case event: the people the workflow table says act next, and for 督办 the
department the order is addressed to."""

from datetime import timedelta

import pytest
from django.utils import timezone

from citygrid.cases import actions
from citygrid.cases.tests.conftest import HANDLER_PERMS, jpeg
from citygrid.notify.models import Notification
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(setup, make_user, tree):
    """A second active member of the department, an inactive one, and the grid's inspector."""
    colleague = make_user(perms=HANDLER_PERMS, scope=[tree.city], username="colleague")
    retired = make_user(perms=HANDLER_PERMS, scope=[tree.city], username="retired")
    retired.is_active = False
    retired.save()
    setup.department.members.add(colleague, retired)
    GridWorker.objects.create(
        region=tree.grid_a1, name="监督员甲", role="inspector", user=setup.inspector
    )
    return setup


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """told(action, case, **kwargs) → {notice title: recipients} of the notices it sent."""

    def run(action, *args, **kwargs) -> dict[str, list[str]]:
        seen = set(Notification.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        notices = Notification.objects.exclude(pk__in=seen).select_related("recipient")
        result: dict[str, list[str]] = {}
        for notice in notices.order_by("recipient__username"):
            result.setdefault(notice.title.split("：")[0], []).append(notice.recipient.username)
        return result

    return run


def test_each_notice_goes_to_whoever_acts_next(people, report, told):
    setup = people
    department = ["colleague", "handler"]
    case = report()
    assert told(actions.register_case, case, actor=setup.dispatcher) == {}
    assert told(actions.dispatch_case, case, actor=setup.dispatcher) == {"新派遣事件": department}
    assert told(actions.accept_case, case, actor=setup.handler) == {}
    for decide, title in (
        (actions.approve_extension, "延期申请已批准"),
        (actions.deny_extension, "延期申请被驳回"),
    ):
        assert (
            told(actions.request_extension, case, actor=setup.handler, hours=8, note="等材料") == {}
        )
        assert told(decide, case, actor=setup.dispatcher, note="审批") == {title: department}
    assert told(
        actions.report_back_case, case, actor=setup.handler, note="好", photos=[jpeg()]
    ) == {"待核查事件": ["inspector"]}
    # The inspector acts next, but an order is addressed to the department.
    required_by = timezone.now() + timedelta(days=3)
    assert told(
        actions.supervise_case, case, actor=setup.dispatcher, note="尽快", required_by=required_by
    ) == {"事件被督办": department}
    assert told(actions.verify_case, case, actor=setup.inspector, passed=False, note="未清理") == {
        "事件核查未通过，需返工": department
    }
