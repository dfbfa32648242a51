"""Who hears about a case event, sent after the action's transaction commits."""

import contextlib
from contextvars import ContextVar

from citygrid.cases.models import Case, CaseEvent

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
    if event.action == "dispatch" and case.department_id:
        return list(case.department.members.filter(is_active=True))
    if event.action == "report_back":
        return [t.assignee for t in case.tasks.filter(status="open") if t.assignee]
    if event.action in ("verify_fail", "supervise", "approve_extension", "deny_extension"):
        return list(case.department.members.filter(is_active=True)) if case.department else []
    return []


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
