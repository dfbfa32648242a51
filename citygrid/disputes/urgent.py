"""The urgent report (紧急上报): a dispute with a risk flag or level 重大 goes up at once, in-app
and by SMS, to the leaders on duty over its place (`disputes.receive_urgent_dispute`).

It fires once per dispute: `urgent_reported_at` is set by a compare-and-set UPDATE, so a second
trigger (registration, then an assessment that keeps the flag; two processes at once) finds it
set and stays silent.
"""

import logging
from datetime import datetime

from django.db import transaction

from citygrid.cases.engine import holders
from citygrid.core import records
from citygrid.core.validators import normalize_mobile
from citygrid.disputes.models import Dispute

logger = logging.getLogger(__name__)

PERMISSION = "receive_urgent_dispute"


def leaders_on_duty(dispute: Dispute):
    """Active users who receive urgent reports and whose territory holds the dispute."""
    return holders(Dispute, PERMISSION, dispute.region_code)


def summary(dispute: Dispute) -> str:
    return "、".join([f"{dispute.get_level_display()}纠纷", *dispute.risk_labels()])


def report_if_urgent(dispute: Dispute, now: datetime) -> bool:
    """Report `dispute` upwards if it is urgent and has not been reported; True if it was now.
    Runs inside the caller's transaction; the notices go out after its commit."""
    if not dispute.urgent:
        return False
    flipped = records.touch(
        Dispute.objects.filter(pk=dispute.pk, urgent_reported_at__isnull=True),
        urgent_reported_at=now,
    )
    if not flipped:
        return False
    dispute.urgent_reported_at = now
    from citygrid.cases.notifications import is_muted

    if not is_muted():
        transaction.on_commit(lambda: _tell(dispute.pk))
    return True


def _tell(dispute_id: int) -> None:
    from citygrid.notify.services import notify_user, send_sms

    dispute = Dispute.objects.select_related("region").get(pk=dispute_id)
    text = summary(dispute)
    for user in leaders_on_duty(dispute):
        notify_user(
            user,
            f"紧急矛盾纠纷：{dispute.number}",
            f"{text}｜{dispute.title}",
            url=dispute.get_absolute_url(),
            level="danger",
        )
        try:
            phone = normalize_mobile(user.phone)
        except ValueError:
            continue  # no usable mobile on the account: the in-app notice must do
        params = {"number": dispute.number, "summary": text, "region": dispute.region.name}
        try:
            send_sms(phone, "dispute_urgent", params, related=dispute)
        except ValueError:
            logger.exception("SMS template dispute_urgent unusable; in-app notice only")
