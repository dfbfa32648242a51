"""Who hears about a case event, sent after the action's transaction commits: `TITLES` names
the events worth a notice to staff, the workflow table the people it goes to; `REPORTER_SMS`
the events the citizen who reported hears about by SMS; a 督办单 also reaches the supervised
department's mobiles by SMS."""

import contextlib
import logging
from contextvars import ContextVar

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from citygrid.cases.choices import SupervisionLevel
from citygrid.cases.engine import DEPARTMENT
from citygrid.cases.models import Case, CaseEvent, SupervisionOrder
from citygrid.cases.workflow import CASES
from citygrid.core.validators import normalize_mobile
from citygrid.notify.services import notify_user, send_sms

logger = logging.getLogger(__name__)

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

# The moments the reporting citizen is told about, and the SMS template of each (notify/seeds):
# the report received, registered (已受理) or not (不予受理; the staff's note is for staff),
# closed (with the link to rate it).
REPORTER_SMS = {
    "report": "case_received",
    "register": "case_number",
    "reject": "case_rejected",
    "close": "case_closed",
}


def after_event(case_id: int, event_id: int) -> None:
    event = CaseEvent.objects.select_related("case__department").get(pk=event_id)
    case = event.case
    if event.action in REPORTER_SMS:
        tell_reporter(case, REPORTER_SMS[event.action])
    title = TITLES.get(event.action)
    if not title:
        return
    recipients = _recipients(case, event)
    for user in recipients:
        notify_user(
            user,
            f"{title}：{case.number}",
            case.description[:100],
            url=case.get_absolute_url(),
            level="danger" if event.action in ("supervise", "verify_fail") else "info",
        )
    if event.action == "supervise":
        order = SupervisionOrder.objects.filter(pk=event.data.get("order_id")).first()
        if order is not None:
            text_supervision_order(order, recipients)


def follow_link(case: Case) -> str:
    """The portal's follow page for this case: the number only, never the phone — following
    still needs the SMS code sent to the reporting phone."""
    path = reverse("portal:follow") + "?" + urlencode({"number": case.number})
    return f"{settings.PORTAL_BASE_URL}{path}"


def tell_reporter(case: Case, template: str) -> None:
    """Text the citizen who reported `case`, if they left a mobile number.

    Anonymous reporters are texted too: anonymity hides them from staff (the outbox shows the
    number masked), and they left the number to follow the case. A staff member's own report
    carries no reporter phone. A disabled template must never cost anything else."""
    if not case.reporter_phone:
        return
    try:
        send_sms(
            case.reporter_phone,
            template,
            {"number": case.number, "url": follow_link(case)},
            related=case,
        )
    except ValueError:
        logger.warning("case %s: no %s SMS (template unavailable)", case.pk, template)


def text_supervision_order(order: SupervisionOrder, members) -> None:
    """The 督办单 by SMS (template `supervision_order`) to the supervised department's
    `members` with a mobile on their account; the department's duty phone when none has one."""
    phones = []
    for user in members:
        try:
            phones.append(normalize_mobile(user.phone))
        except ValueError:
            continue
    if not phones:
        with contextlib.suppress(ValueError):
            phones.append(normalize_mobile(order.department.phone))
    params = {
        # "一般" in "您收到一份一般督办单".
        "level": SupervisionLevel(order.level).label.removesuffix("督办"),
        "number": order.subject.number if order.subject is not None else "—",
        "deadline": timezone.localtime(order.required_by).strftime("%m-%d %H:%M"),
    }
    for phone in dict.fromkeys(phones):
        try:
            send_sms(phone, "supervision_order", params, related=order)
        except ValueError:
            logger.warning("order %s: no supervision SMS (template unavailable)", order.pk)
            return
