"""Who hears about a case event, sent after the action's transaction commits: `TITLES` names
the events worth a notice, the workflow table the people it goes to."""

import contextlib
from contextvars import ContextVar

from citygrid.cases.models import Case, CaseEvent
from citygrid.cases.workflow import CASES, DEPARTMENT

_muted: ContextVar[bool] = ContextVar("citygrid_case_notifications_muted", default=False)


@contextlib.contextmanager
def muted():
    """Tell nobody about the actions taken inside: writing past history (the demo), where a
    notice about a case closed months ago would only be noise."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()


def _recipients(case: Case, event: CaseEvent) -> list:
    """Whoever the workflow table says must act next, except for 督办: an order is addressed to
    the department, whatever the case's state."""
    if event.action == "supervise":
        return list(CASES.actors[DEPARTMENT](case, CASES.get("supervise")))
    return CASES.who_acts(case)


TITLES = {
    "dispatch": "新派遣事件",
    "report_back": "待核查事件",
    "verify_fail": "事件核查未通过，需返工",
    "supervise": "事件被督办",
    "approve_extension": "延期申请已批准",
    "deny_extension": "延期申请被驳回",
}


def after_event(case_id: int, event_id: int) -> None:
    from citygrid.notify.services import notify_user

    event = CaseEvent.objects.select_related("case__department").get(pk=event_id)
    case = event.case
    title = TITLES.get(event.action)
    if not title:
        return
    for user in _recipients(case, event):
        notify_user(
            user,
            f"{title}：{case.number}",
            case.description[:100],
            url=case.get_absolute_url(),
            level="danger" if event.action in ("supervise", "verify_fail") else "info",
        )
