"""What people do with directives: send one down, read, 签收, 反馈, remind.

Each runs in one transaction and raises `ActionError` before writing anything it refuses. The
SMS goes through `send_sms` (queued, delivered after the commit); its outcome is read from the
outbox row, so a failed SMS shows on the receipt as soon as the backend reports it.
"""

import logging
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from citygrid.core import records
from citygrid.core.errors import ActionError
from citygrid.notify.directives import targets as target_rules
from citygrid.notify.models import Directive, DirectiveFile, DirectiveReceipt
from citygrid.notify.services import notify_user, send_sms
from citygrid.regions.models import Region

logger = logging.getLogger(__name__)

MAX_FILES = 10


def _deadline_text(directive: Directive) -> str:
    return timezone.localtime(directive.deadline).strftime("%m月%d日 %H:%M")


def _sender_region(sender) -> Region:
    """The directive lives at the sender's level: their widest scope region."""
    region = sender.scope_regions.order_by("code").first()
    if region is None and sender.is_superuser:
        region = Region.objects.filter(parent=None).order_by("code").first()
    if region is None:
        raise ActionError("no_scope", "您未配置管辖区域，不能下达指令", 403)
    return region


def _attach(directive, files: Iterable[UploadedFile], actor, receipt=None) -> None:
    files = list(files)
    if len(files) > MAX_FILES:
        raise ActionError("too_many_files", f"附件最多 {MAX_FILES} 个")
    for upload in files:
        attachment = DirectiveFile(
            directive=directive,
            receipt=receipt,
            region=receipt.region if receipt else directive.region,
            file=upload,
            name=upload.name[:200],
        )
        records.save_record(attachment, actor=actor)


def _deliver(receipt: DirectiveReceipt, template: str, params: dict) -> None:
    """The in-app notification and the SMS (none without a mobile number on the account)."""
    directive = receipt.directive
    notify_user(
        receipt.recipient,
        f"指令：{directive.title}",
        f"请于{_deadline_text(directive)}前签收并反馈。",
        url=reverse("notify:directive_receipt", args=[receipt.pk]),
        level="warning",
    )
    phone = receipt.recipient.phone
    if not phone:
        return
    try:
        message = send_sms(phone, template, params, related=receipt)
    except ValueError:
        # A malformed number on the account: the receipt shows no SMS; the app still has it.
        logger.warning("Directive receipt #%s: no SMS, the account's number is invalid", receipt.pk)
        return
    receipt.sms = message
    records.touch(DirectiveReceipt.objects.filter(pk=receipt.pk), sms=message)


@transaction.atomic
def send_directive(
    sender, *, title: str, body: str, deadline, targets, files: Iterable = ()
) -> Directive:
    """Create the directive, one receipt per recipient, and notify each by app and SMS."""
    if not target_rules.can_send(sender):
        raise ActionError("forbidden", "只有社区（村）及以上层级的人员可以下达指令", 403)
    if deadline <= timezone.now():
        raise ActionError("deadline_past", "办理期限应晚于当前时间")
    places = target_rules.resolve(sender, targets)
    directive = records.save_record(
        Directive(
            region=_sender_region(sender),
            sender=sender,
            title=title,
            body=body,
            deadline=deadline,
            targets=targets.describe(sender),
        ),
        actor=sender,
    )
    _attach(directive, files, sender)
    regions = Region.objects.in_bulk(set(places.values()))
    receipts = [
        DirectiveReceipt(directive=directive, recipient_id=user_id, region=regions[region_id])
        for user_id, region_id in places.items()
    ]
    records.create_records(DirectiveReceipt, receipts, actor=sender)
    params = {
        "sender": str(sender),
        "title": directive.title[:30],
        "deadline": _deadline_text(directive),
    }
    for receipt in DirectiveReceipt.objects.filter(directive=directive).select_related(
        "recipient", "directive"
    ):
        _deliver(receipt, "directive", params)
    return directive


def _own(receipt: DirectiveReceipt, user) -> None:
    if receipt.recipient_id != user.pk:
        raise ActionError("not_found", "记录不存在或不在您的管辖范围内", 404)


def mark_read(receipt: DirectiveReceipt, user) -> None:
    """Opening one's own receipt the first time marks it read (bookkeeping, not history)."""
    if receipt.recipient_id == user.pk and receipt.read_at is None:
        receipt.read_at = timezone.now()
        records.touch(
            DirectiveReceipt.objects.filter(pk=receipt.pk, read_at=None), read_at=receipt.read_at
        )


@transaction.atomic
def acknowledge(receipt: DirectiveReceipt, user) -> DirectiveReceipt:
    """签收: the recipient confirms they have it."""
    _own(receipt, user)
    if receipt.acknowledged_at:
        raise ActionError("already_acknowledged", "该指令已签收")
    mark_read(receipt, user)
    receipt.acknowledged_at = timezone.now()
    return records.save_record(receipt, actor=user, update_fields=["acknowledged_at"])


@transaction.atomic
def answer(receipt: DirectiveReceipt, user, text: str, files: Iterable = ()) -> DirectiveReceipt:
    """反馈: what was done, with files; acknowledges too if the recipient had not yet."""
    _own(receipt, user)
    text = (text or "").strip()
    files = list(files)
    if not text and not files:
        raise ActionError("empty_answer", "请填写反馈内容或上传附件")
    if receipt.answered_at:
        raise ActionError("already_answered", "该指令已反馈")
    mark_read(receipt, user)
    now = timezone.now()
    receipt.acknowledged_at = receipt.acknowledged_at or now
    receipt.answered_at = now
    receipt.answer = text
    records.save_record(
        receipt, actor=user, update_fields=["acknowledged_at", "answered_at", "answer"]
    )
    _attach(receipt.directive, files, user, receipt=receipt)
    return receipt


@transaction.atomic
def remind(receipts: Iterable[DirectiveReceipt], *, auto: bool = False) -> int:
    """提醒: the app notification and SMS again, to recipients who have not answered; returns
    how many were reminded. `auto` marks the one automatic reminder before the deadline."""
    count = 0
    now = timezone.now()
    for receipt in receipts:
        if receipt.answered_at:
            continue
        directive = receipt.directive
        params = {"title": directive.title[:30], "deadline": _deadline_text(directive)}
        _deliver(receipt, "directive_reminder", params)
        changes = {"reminded_at": now, "remind_count": receipt.remind_count + 1}
        if auto:
            changes["auto_reminded_at"] = now
        records.touch(DirectiveReceipt.objects.filter(pk=receipt.pk), **changes)
        count += 1
    return count
