"""Who hears about a dispute event, after the action's transaction commits: `TITLES` names the
events worth a notice, the workflow table the people it goes to (a 督办单 goes to the handling
body, and by SMS as for cases); a scheduled mediation is texted to the parties."""

import logging

from django.utils import timezone

from citygrid.cases.engine import DEPARTMENT
from citygrid.cases.models import SupervisionOrder
from citygrid.cases.notifications import text_supervision_order
from citygrid.core.validators import normalize_mobile
from citygrid.disputes.models import DisputeEvent, MediationSession
from citygrid.disputes.workflow import DISPUTES
from citygrid.notify.services import notify_user, send_sms

logger = logging.getLogger(__name__)

TITLES = {
    "dispatch": "新交办纠纷",
    "return": "纠纷被退回，需重新分流",
    "conclude": "纠纷待核查",
    "verify_pass": "纠纷待核查",
    "verify_final": "纠纷待归档",
    "verify_fail": "纠纷核查未通过，需重新调解",
    "supervise": "纠纷被督办",
}


def after_event(dispute_id: int, event_id: int) -> None:
    event = DisputeEvent.objects.select_related("dispute__department").get(pk=event_id)
    dispute = event.dispute
    title = TITLES.get(event.action)
    if not title:
        return
    if event.action == "supervise":
        recipients = list(DISPUTES.actors[DEPARTMENT](dispute, DISPUTES.get("supervise")))
    else:
        recipients = DISPUTES.who_acts(dispute)
    for user in recipients:
        notify_user(
            user,
            f"{title}：{dispute.number}",
            dispute.title,
            url=dispute.get_absolute_url(),
            level="danger" if event.action in ("supervise", "verify_fail") else "info",
        )
    if event.action == "supervise":
        order = SupervisionOrder.objects.filter(pk=event.data.get("order_id")).first()
        if order is not None:
            text_supervision_order(order, recipients)


def tell_parties(session_id: int) -> int:
    """Text every party with a mobile number the session's time and place; returns how many
    were texted (kept on the session)."""
    from citygrid.core import records

    session = MediationSession.objects.select_related("dispute").get(pk=session_id)
    dispute = session.dispute
    params = {
        "number": dispute.number,
        "time": timezone.localtime(session.starts_at).strftime("%m月%d日 %H:%M"),
        "place": session.place,
    }
    sent = 0
    for party in dispute.parties.all():
        try:
            phone = normalize_mobile(party.phone)
        except ValueError:
            continue
        try:
            send_sms(phone, "mediation_notice", params, related=dispute)
        except ValueError:
            logger.warning("dispute %s: no mediation SMS (template unavailable)", dispute.pk)
            break
        sent += 1
    session.notified_count = sent
    records.save_record(session, actor=None, update_fields=["notified_count"])
    return sent
