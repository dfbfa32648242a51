"""Demo directives (指令下达): the demo township's staff sends directives to the community and
grid below, and the receipts stand in every state — 未读, 已读, 已签收, 已反馈, 逾期 — with one
SMS that failed, so the sender's page shows each.

Sent through the real action (targets, scope, notifications), then the recipients' side is
played: read, 签收, 反馈. Needs the demo accounts (`demo.regions.create_demo_accounts`) and the
`notify.send_directive` permission on the 街道工作人员 role.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.core import records, writeguard
from citygrid.notify.choices import SmsStatus
from citygrid.notify.directives import actions
from citygrid.notify.directives.states import counts
from citygrid.notify.directives.targets import Targets
from citygrid.notify.models import Directive, DirectiveReceipt, SmsMessage
from citygrid.regions.choices import RegionLevel

SENDER = "street_staff"
COMMUNITY = "community_staff"
GRID = "grid_worker"

# title, body, days until the deadline (negative: already past), {recipient: what they did}
# where what they did is "" (unread), "read", "acknowledged" or an answer text; "sms_failed"
# names the recipient whose SMS bounced.
DIRECTIVES = (
    (
        "防汛隐患排查",
        "请于本周内完成辖区防汛隐患排查，重点检查地下车库、低洼地段和危旧房屋，并反馈排查情况。",
        3,
        {COMMUNITY: "已排查 12 处，整改 3 处，其余纳入台账跟踪。", GRID: "read"},
        "",
    ),
    (
        "安全生产大检查",
        "开展辖区小场所、沿街商铺消防安全检查，发现隐患立即督促整改。",
        2,
        {COMMUNITY: "acknowledged", GRID: ""},
        GRID,
    ),
    (
        "重点人员走访摸排",
        "对辖区重点关注人员开展一次全面走访，更新联系方式和现实表现。",
        -1,
        {COMMUNITY: "已完成走访 28 人，信息已更新。", GRID: "acknowledged"},
        "",
    ),
)


def _play(receipt: DirectiveReceipt, step: str) -> None:
    user = receipt.recipient
    if step == "read":
        actions.mark_read(receipt, user)
    elif step == "acknowledged":
        actions.acknowledge(receipt, user)
    elif step:
        actions.answer(receipt, user, step)


def _bounce(receipt: DirectiveReceipt) -> None:
    """The SMS to this recipient failed: the outbox row as the provider's receipt leaves it.
    A fresh row, not the queued one, so no delivery task retries it into 'sent'."""
    queued = receipt.sms
    failed = SmsMessage(
        phone=queued.phone,
        template=queued.template,
        params=queued.params,
        text=queued.text,
        status=SmsStatus.FAILED,
        backend="outbox",
        error="用户停机或空号",
        attempts=1,
        content_type=queued.content_type,
        object_id=queued.object_id,
        region_code=queued.region_code,
    )
    failed.save()
    records.touch(DirectiveReceipt.objects.filter(pk=receipt.pk), sms=failed)
    queued.delete()


def generate_demo_directives(rng: random.Random, now: datetime | None = None) -> dict[str, int]:
    """The demo directives; returns how many receipts are in each state (and SMS failed).
    Deterministic for the generator's state: it only picks the hours of the deadlines."""
    now = now or timezone.now()
    users = {u.username: u for u in User.objects.filter(username__in=[SENDER, COMMUNITY, GRID])}
    sender = users[SENDER]
    township = sender.scope_regions.get(level=RegionLevel.TOWNSHIP)
    with transaction.atomic(), writeguard.unlogged():
        for title, body, days, steps, bounced in DIRECTIVES:
            deadline = now + timedelta(days=max(days, 1), hours=rng.randint(1, 8))
            directive = actions.send_directive(
                sender,
                title=title,
                body=body,
                deadline=deadline,
                targets=Targets(
                    regions=[township], levels=["community", "grid"], users=[], kinds={}
                ),
            )
            receipts = DirectiveReceipt.objects.filter(directive=directive).select_related(
                "recipient", "directive", "sms"
            )
            for receipt in receipts:
                _play(receipt, steps.get(receipt.recipient.username, ""))
                if receipt.recipient.username == bounced and receipt.sms_id:
                    _bounce(receipt)
            if days < 0:
                Directive.objects.filter(pk=directive.pk).update(
                    sent_at=now - timedelta(days=5), deadline=now + timedelta(days=days)
                )
    return counts(DirectiveReceipt.objects.filter(directive__sender=sender))
