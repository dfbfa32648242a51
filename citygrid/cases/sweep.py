"""The periodic deadline sweep: warn at 80 % of a step's limit, remind when it is overdue, and
escalate supervision orders nobody answered in time. Run by the periodic job `sweep_deadlines`.

It serves every workflow on the engine (`engine.REGISTRY`: cases, disputes). Each record is
warned once per step and reminded once per step (flags reset when a step starts), so running
the sweep every minute never spams anyone. The sweep writes as the system (actor None): an
escalation is logged and leaves an event in its subject's history like any other change of an
order. Whom a reminder goes to is the workflow table's answer (`Workflow.who_acts`): the people
holding a duty on the record now, e.g. the department and, while an extension request is
pending, its approvers.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from citygrid.cases import notifications
from citygrid.cases.choices import SupervisionStatus
from citygrid.cases.engine import REGISTRY, Workflow, workflow_of
from citygrid.cases.models import SupervisionOrder
from citygrid.core import records
from citygrid.core.validators import normalize_mobile

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated_orders: int = 0


def _tell(users, case, template: str, title: str, level: str) -> None:
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


def _running(workflow: Workflow):
    """Open records whose clock runs (suspended ones have `paused_at`)."""
    return workflow.model.objects.filter(
        **{f"{workflow.state_field}__in": workflow.open_states},
        paused_at__isnull=True,
        step_deadline__isnull=False,
    )


def sweep_deadlines(now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult()
    for workflow in REGISTRY.values():
        _sweep(workflow, now, result)
    result.escalated_orders = escalate_supervision(now)
    return result


def _sweep(workflow: Workflow, now: datetime, result: SweepResult) -> None:
    # `warned`/`overdue_notified` are reminder bookkeeping, outside the record's change log
    # (`changelog_exclude`): `touch` keeps the compare-and-set, so of two sweeps running at
    # once only the one whose UPDATE flips the flag sends the reminder.
    model = workflow.model
    related = [workflow.department_field] if workflow.department_field else []
    overdue = _running(workflow).filter(step_deadline__lte=now, overdue_notified=False)
    for record in overdue.select_related(*related):
        with transaction.atomic():
            flipped = records.touch(
                model.objects.filter(pk=record.pk, overdue_notified=False),
                overdue_notified=True,
                warned=True,
            )
            if flipped:
                people = workflow.who_acts(record, now)
                _tell(people, record, "deadline_overdue", "已超期", "danger")
                result.overdue += 1
    warning = _running(workflow).filter(step_warn_at__lte=now, step_deadline__gt=now, warned=False)
    for record in warning.select_related(*related):
        with transaction.atomic():
            if records.touch(model.objects.filter(pk=record.pk, warned=False), warned=True):
                people = workflow.who_acts(record, now)
                _tell(people, record, "deadline_warning", "即将超期", "warning")
                result.warned += 1


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
            .select_related("department", "case", "dispute", "region", "issued_by")
            .filter(pk=order_id, status=SupervisionStatus.OPEN)
            .first()
        )
        if order is None:
            return False
        higher = SupervisionOrder(
            case=order.case,
            dispute=order.dispute,
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
        subject = order.subject
        if subject is not None:
            workflow_of(subject).record_event(
                subject,
                "supervision_escalated",
                actor=None,
                time=now,
                from_state=subject.state,
                note=f"督办单逾期未回复，升级为{higher.get_level_display()}",
                order_id=order.pk,
                escalated_to_id=higher.pk,
                level=higher.level,
            )
        members = list(order.department.members.filter(is_active=True))
        recipients = members + ([order.issued_by] if order.issued_by else [])
        for user in recipients:
            notify_user(
                user,
                f"督办升级：{higher}",
                higher.instructions[:100],
                url=higher.get_absolute_url(),
                level="danger",
            )
        # The higher order is a 督办单 like any other: texted to the department too.
        notifications.text_supervision_order(higher, members)
    return True
