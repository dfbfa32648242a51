"""督办单 about a case or a dispute: issuing one (inside the subject's `supervise` action) and
the supervised department's side, answering it (same shape as `actions.py`); the answer is an
event in its subject's history."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from citygrid.cases import notifications
from citygrid.cases.choices import SupervisionStatus
from citygrid.cases.engine import workflow_of
from citygrid.cases.models import SupervisionOrder
from citygrid.core import records
from citygrid.core.errors import ActionError


def issue_order(subject, transition, *, actor, note: str, required_by, level: int, now) -> dict:
    """The order of a `supervise` transition on a case or dispute (`subject`, which has a
    department): refused unless the date is ahead and the level one of the input's; returns
    what the action's event records."""
    if level not in transition.input("level").values:
        raise transition.input("level").refusal()
    if required_by <= now:
        raise transition.input("required_by").refusal("要求完成时间必须晚于当前时间")
    order = SupervisionOrder(
        **{subject._meta.model_name: subject},
        department=subject.department,
        level=level,
        required_by=required_by,
        instructions=note,
        issued_by=actor,
        region=subject.region,
    )
    records.save_record(order, actor=actor)
    return {"order_id": order.pk, "level": level}


class SupervisionNotFound(ActionError):
    def __init__(self):
        super().__init__("not_found", "督办单不存在或不在您的管辖范围内", 404)


def _lock(order_id: int, actor) -> SupervisionOrder:
    if not SupervisionOrder.objects.restrict(actor, "view").filter(pk=order_id).exists():
        raise SupervisionNotFound
    return (
        SupervisionOrder.objects.select_for_update(of=("self",))
        .select_related("case", "dispute", "department")
        .get(pk=order_id)
    )


def can_answer(order: SupervisionOrder, user) -> None:
    """Raise unless `user` may answer `order` now (scope is checked apart)."""
    if not user.has_perm("cases.answer_supervisionorder"):
        raise ActionError("permission_denied", "您没有“回复督办”的权限", 403)
    if not user.is_superuser and not order.department.members.filter(pk=user.pk).exists():
        raise ActionError("not_in_department", "只有被督办部门的人员可以回复", 403)
    if order.status != SupervisionStatus.OPEN:
        raise ActionError("invalid_status", f"督办单状态为“{order.get_status_display()}”，不能回复")


def answer_supervision(
    order: SupervisionOrder, *, actor, answer: str, now: datetime | None = None
) -> SupervisionOrder:
    answer = (answer or "").strip()
    now = now or timezone.now()
    with transaction.atomic():
        order = _lock(order.pk, actor)
        can_answer(order, actor)
        if not answer:
            raise ActionError("answer_required", "请填写回复内容", 400)
        order.status = SupervisionStatus.ANSWERED
        order.answer = answer
        order.answered_by = actor
        order.answered_at = now
        records.save_record(
            order, actor=actor, update_fields=["status", "answer", "answered_by", "answered_at"]
        )
        subject = order.subject
        if subject is not None:
            workflow_of(subject).record_event(
                subject,
                "supervision_answered",
                actor=actor,
                time=now,
                from_state=subject.state,
                note=answer,
                order_id=order.pk,
            )
        if not notifications.is_muted():
            transaction.on_commit(lambda: _tell_issuer(order))
    return order


def _tell_issuer(order: SupervisionOrder) -> None:
    from citygrid.notify.services import notify_user

    if order.issued_by_id and order.issued_by.is_active:
        target = order.subject.number if order.subject is not None else order.department.name
        notify_user(
            order.issued_by,
            f"督办单已回复：{target}",
            order.answer[:100],
            url=order.get_absolute_url(),
        )
