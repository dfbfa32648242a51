"""The periodic deadline sweep: warn at 80 % of a step's limit, remind when it is overdue, and
escalate supervision orders nobody answered in time. Run by the periodic job `sweep_deadlines`.

Each case is warned once per step and reminded once per step (flags reset when a step starts),
so running the sweep every minute never spams anyone. The sweep writes as the system (actor
None): an escalation is logged and leaves a case event like any other change of an order.
Whom a case's reminder goes to is the workflow table's answer (`CASES.who_acts`): the people
holding a duty on it now, e.g. the department and, while an extension request is pending, its
approvers.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from citygrid.cases import events
from citygrid.cases.choices import OPEN_STATES, CaseState, SupervisionStatus
from citygrid.cases.models import Case, SupervisionOrder
from citygrid.cases.workflow import CASES
from citygrid.core import records
from citygrid.core.validators import normalize_mobile

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated_orders: int = 0


def _tell(users, case: Case, template: str, title: str, level: str) -> None:
    from citygrid.notify.services import notify_user, send_sms

    deadline = timezone.localtime(case.step_deadline).strftime("%m-%d %H:%M")
    for user in users:
        notify_user(
            user,
            f"{title}：{case.number}",
            f"{case.get_step_display()}时限 {deadline}",
            url=case.get_absolute_url(),
            level=level,
        )
        try:
            phone = normalize_mobile(user.phone)
        except ValueError:
            continue  # no usable mobile on the account: the in-app notice must do
        try:
            send_sms(phone, template, {"number": case.number, "deadline": deadline}, related=case)
        except ValueError:
            # A deleted or disabled template must not stop the sweep for everyone else.
            logger.exception("SMS template %s unusable; in-app notice only", template)


def _running():
    return Case.objects.filter(
        state__in=OPEN_STATES, paused_at__isnull=True, step_deadline__isnull=False
    ).exclude(state=CaseState.SUSPENDED)


def sweep_deadlines(now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    # `warned`/`overdue_notified` are reminder bookkeeping, outside the case's change log
    # (`Case.changelog_exclude`): `touch` keeps the compare-and-set, so of two sweeps running at
    # once only the one whose UPDATE flips the flag sends the reminder.
    overdue = _running().filter(step_deadline__lte=now, overdue_notified=False)
    for case in overdue.select_related("department"):
        with transaction.atomic():
            flipped = records.touch(
                Case.objects.filter(pk=case.pk, overdue_notified=False),
                overdue_notified=True,
                warned=True,
            )
            if flipped:
                _tell(CASES.who_acts(case, now), case, "deadline_overdue", "已超期", "danger")
                result.overdue += 1
    warning = _running().filter(step_warn_at__lte=now, step_deadline__gt=now, warned=False)
    for case in warning.select_related("department"):
        with transaction.atomic():
            if records.touch(Case.objects.filter(pk=case.pk, warned=False), warned=True):
                _tell(CASES.who_acts(case, now), case, "deadline_warning", "即将超期", "warning")
                result.warned += 1
    result.escalated_orders = escalate_supervision(now)
    return result


def escalate_supervision(now: datetime) -> int:
    """An order not answered by its date becomes an order one level higher (max 专项督办)."""
    late = SupervisionOrder.objects.filter(status=SupervisionStatus.OPEN, required_by__lt=now)
    return sum(_escalate(pk, now) for pk in late.values_list("pk", flat=True))


def _escalate(order_id: int, now: datetime) -> bool:
    from citygrid.notify.services import notify_user

    with transaction.atomic():
        # Locked and re-read: an answer or another sweep since the list was read wins.
        order = (
            SupervisionOrder.objects.select_for_update(of=("self",))
            .select_related("department", "case", "region", "issued_by")
            .filter(pk=order_id, status=SupervisionStatus.OPEN)
            .first()
        )
        if order is None:
            return False
        higher = SupervisionOrder(
            case=order.case,
            department=order.department,
            level=min(order.level + 1, 3),
            required_by=now + timedelta(hours=settings.CASE_SUPERVISION_ESCALATION_HOURS),
            region=order.region,
            instructions=f"原督办单逾期未回复，升级督办。{order.instructions}",
            issued_by=order.issued_by,
        )
        records.save_record(higher, actor=None)
        order.status = SupervisionStatus.ESCALATED
        order.escalated_to = higher
        records.save_record(order, actor=None, update_fields=["status", "escalated_to"])
        if order.case_id:
            events.record(
                order.case,
                "supervision_escalated",
                actor=None,
                time=now,
                from_state=order.case.state,
                note=f"督办单逾期未回复，升级为{higher.get_level_display()}",
                order_id=order.pk,
                escalated_to_id=higher.pk,
                level=higher.level,
            )
        recipients = list(order.department.members.filter(is_active=True))
        if order.issued_by:
            recipients.append(order.issued_by)
        for user in recipients:
            notify_user(
                user,
                f"督办升级：{higher}",
                higher.instructions[:100],
                url=higher.get_absolute_url(),
                level="danger",
            )
    return True
