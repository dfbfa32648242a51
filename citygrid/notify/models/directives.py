"""指令下达: a directive sent down the tree, and one receipt per person it reached.

A directive lives in the sender's region, so it is seen by the sender's level and those above.
A receipt lives in the region through which it reached its recipient (their scope region), so
the scope check of the write path proves no directive reaches outside the sender's subtree.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from citygrid.core.files import PrivateStorage, UnguessableName
from citygrid.core.models import ScopedModel
from citygrid.notify.choices import ReceiptState, SmsStatus


class Directive(ScopedModel):
    """What a sender tells the levels below to do, by a deadline."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="下达人",
        on_delete=models.PROTECT,
        related_name="directives_sent",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("指令内容")
    deadline = models.DateTimeField("办理期限")
    sent_at = models.DateTimeField("下达时间", default=timezone.now, db_index=True)
    # To whom it went, as chosen (for the page): [{"label": "区域", "names": ["甲社区", ...]}].
    targets = models.JSONField("下达对象", default=list, blank=True)

    class Meta:
        verbose_name = "指令"
        verbose_name_plural = "指令"
        ordering = ["-sent_at", "-id"]
        default_permissions = ("view",)
        permissions = [("send_directive", "可以下达指令")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notify:directive", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.deadline < timezone.now()


class DirectiveReceipt(ScopedModel):
    """One recipient's copy: read, 签收 (acknowledged), 反馈 (answered), reminders.

    `region` is the recipient's scope region the directive reached them through. Reading and
    reminding are bookkeeping (`records.touch`); acknowledging and answering are logged.
    """

    directive = models.ForeignKey(
        Directive, verbose_name="指令", on_delete=models.CASCADE, related_name="receipts"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.PROTECT,
        related_name="directive_receipts",
    )
    sms = models.ForeignKey(
        "notify.SmsMessage",
        verbose_name="短信",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    answered_at = models.DateTimeField("反馈时间", null=True, blank=True)
    answer = models.TextField("反馈内容", blank=True)
    reminded_at = models.DateTimeField("最近提醒时间", null=True, blank=True)
    remind_count = models.PositiveSmallIntegerField("提醒次数", default=0)
    # The automatic reminder before the deadline goes once.
    auto_reminded_at = models.DateTimeField("自动提醒时间", null=True, blank=True)

    changelog_exclude = (
        "created",
        "last_updated",
        "sms",
        "read_at",
        "reminded_at",
        "remind_count",
        "auto_reminded_at",
    )

    class Meta:
        verbose_name = "指令签收"
        verbose_name_plural = "指令签收"
        ordering = ["directive", "region_code", "id"]
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "recipient"], name="directivereceipt_one_per_recipient"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created"], name="directivereceipt_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.directive}·{self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("notify:directive_receipt", args=[self.pk])

    @property
    def state(self) -> str:
        if self.answered_at:
            return ReceiptState.ANSWERED
        if self.directive.is_overdue:
            return ReceiptState.OVERDUE
        if self.acknowledged_at:
            return ReceiptState.ACKNOWLEDGED
        if self.read_at:
            return ReceiptState.READ
        return ReceiptState.UNREAD

    def get_state_display(self) -> str:
        return ReceiptState(self.state).label

    @property
    def sms_failed(self) -> bool:
        return self.sms_id is not None and self.sms.status == SmsStatus.FAILED


class DirectiveFile(ScopedModel):
    """An attachment: of the directive itself (`receipt` empty), or of one recipient's 反馈."""

    directive = models.ForeignKey(
        Directive, verbose_name="指令", on_delete=models.CASCADE, related_name="files"
    )
    receipt = models.ForeignKey(
        DirectiveReceipt,
        verbose_name="反馈",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
    )
    file = models.FileField(
        "附件",
        storage=PrivateStorage("directives"),
        upload_to=UnguessableName("directives"),
        max_length=200,
    )
    name = models.CharField("文件名", max_length=200)

    class Meta:
        verbose_name = "指令附件"
        verbose_name_plural = "指令附件"
        ordering = ["id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.file.url
