"""The periodic deadline sweep: warn at 80 % of a step's limit, remind when it is overdue, and
escalate supervision orders nobody answered in time. Run by `manage.py sweep_deadlines`.

Each case is warned once per step and reminded once per step (flags reset when a step starts),
so running the sweep every minute never spams anyone.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.cases.choices import OPEN_STATES, CaseState, Step, SupervisionStatus, TaskStatus
from citygrid.cases.models import Case, SupervisionOrder
from citygrid.core.validators import normalize_mobile

logger = logging.getLogger(__name__)

# Who owns each step when it is not the department or the verifier.
CENTRE_PERMISSION = {
    Step.REGISTER: "register_case",
    Step.DISPATCH: "dispatch_case",
    Step.CLOSE: "close_case",
}


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated_orders: int = 0


def responsible_users(case: Case) -> list[User]:
    """The people who must act on the case's current step."""
    if case.step in (Step.ACCEPT, Step.HANDLE) and case.department_id:
        return list(case.department.members.filter(is_active=True))
    if case.step == Step.VERIFY:
        return [t.assignee for t in case.tasks.filter(status=TaskStatus.OPEN) if t.assignee]
    codename = CENTRE_PERMISSION.get(case.step)
    if not codename:
        return []
    prefixes = [case.region_code[:n] for n in (4, 6, 9, 12, 15)]
    return list(
        User.objects.filter(
            is_active=True,
            roles__permissions__content_type__app_label="cases",
            roles__permissions__codename=codename,
            scope_regions__code__in=prefixes,
        ).distinct()
    )


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
    overdue = _running().filter(step_deadline__lte=now, overdue_notified=False)
    for case in overdue.select_related("department"):
        with transaction.atomic():
            if Case.objects.filter(pk=case.pk, overdue_notified=False).update(
                overdue_notified=True, warned=True
            ):
                _tell(responsible_users(case), case, "deadline_overdue", "已超期", "danger")
                result.overdue += 1
    warning = _running().filter(step_warn_at__lte=now, step_deadline__gt=now, warned=False)
    for case in warning.select_related("department"):
        with transaction.atomic():
            if Case.objects.filter(pk=case.pk, warned=False).update(warned=True):
                _tell(responsible_users(case), case, "deadline_warning", "即将超期", "warning")
                result.warned += 1
    result.escalated_orders = escalate_supervision(now)
    return result


def escalate_supervision(now: datetime) -> int:
    """An order not answered by its date becomes an order one level higher (max 专项督办)."""
    from citygrid.notify.services import notify_user

    count = 0
    late = SupervisionOrder.objects.filter(status=SupervisionStatus.OPEN, required_by__lt=now)
    for order in late.select_related("department", "case"):
        with transaction.atomic():
            if not SupervisionOrder.objects.filter(
                pk=order.pk, status=SupervisionStatus.OPEN
            ).update(status=SupervisionStatus.ESCALATED):
                continue
            higher = SupervisionOrder.objects.create(
                case=order.case,
                department=order.department,
                level=min(order.level + 1, 3),
                required_by=now + timedelta(hours=settings.CASE_SUPERVISION_ESCALATION_HOURS),
                region=order.region,
                instructions=f"原督办单逾期未回复，升级督办。{order.instructions}",
                issued_by=order.issued_by,
            )
            SupervisionOrder.objects.filter(pk=order.pk).update(escalated_to=higher)
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
            count += 1
    return count
