"""Disputes (矛盾纠纷): the second workflow on the cases engine (`disputes/workflow.py`).

A dispute carries the same step clock as a case (`StepClock`) and a typed event history with
the same columns (`WorkflowEvent`); its parties' names, ID numbers and phones are SM4-sealed
with blind indexes, so repeat disputes between the same parties are found without decrypting.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.models.workflow import StepClock, WorkflowEvent
from citygrid.core import files
from citygrid.core.fields import DictField, EncryptedCharField
from citygrid.core.models import ChangeLoggedModel, ScopedModel
from citygrid.core.text import StripControlsMixin
from citygrid.disputes.choices import (
    OPEN_STATES,
    DisputeLevel,
    DisputeState,
    DisputeStep,
    IntakeSource,
    Outcome,
    PartyKind,
    PartySide,
    Referral,
    ReportKind,
    ReportStatus,
)

CATEGORY_DICTIONARY = "dispute_category"
# What a resident ID number looks like (then it must be a valid one), a phone, a mobile.
RESIDENT_ID = re.compile(r"\d{15}|\d{17}[\dX]")
PHONE = re.compile(r"[\d\- ]{5,20}")
MOBILE = re.compile(r"1\d{10}")


class Dispute(StepClock, ScopedModel):
    """One dispute, from registration (登记受理) to archive."""

    number = models.CharField("纠纷编号", max_length=20, unique=True)
    category = DictField("纠纷类别", dictionary=CATEGORY_DICTIONARY, blank=False)
    title = models.CharField("纠纷名称", max_length=100)
    description = models.TextField("简要情况")
    address = models.CharField("发生地点", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    people_count = models.PositiveIntegerField("涉及人数", default=2)
    amount = models.DecimalField(
        "涉及金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    level = models.CharField(
        "纠纷等级", max_length=20, choices=DisputeLevel.choices, default=DisputeLevel.ORDINARY
    )
    risk_petition = models.BooleanField("可能越级上访", default=False)
    risk_mass_incident = models.BooleanField("可能引发群体性事件", default=False)
    risk_criminal = models.BooleanField("可能民转刑", default=False)
    source = models.CharField("登记来源", max_length=20, choices=IntakeSource.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registered_disputes",
    )
    reported_at = models.DateTimeField("登记时间", default=timezone.now, db_index=True)
    state = models.CharField(
        "状态",
        max_length=20,
        choices=DisputeState.choices,
        default=DisputeState.COLLECTED,
        db_index=True,
    )
    step = models.CharField("当前环节", max_length=20, choices=DisputeStep.choices, blank=True)
    assessment = models.TextField("研判意见", blank=True)
    department = models.ForeignKey(
        "cases.Department",
        verbose_name="承办单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
    )
    # The referral's deadline (办结时限): the end of a working day, the mediation step's deadline.
    due_at = models.DateTimeField("办结时限", null=True, blank=True)
    # The level that checks the outcome now (community → township → county), as its region.
    verifying_region = models.ForeignKey(
        "regions.Region",
        verbose_name="核查层级",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField("调处结果", max_length=20, choices=Outcome.choices, blank=True)
    referral = models.CharField("后续途径", max_length=20, choices=Referral.choices, blank=True)
    concluded_at = models.DateTimeField("反馈时间", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField("当事人满意度", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    # Set once when the urgent report goes up: a second trigger finds it set and stays silent.
    urgent_reported_at = models.DateTimeField("紧急上报时间", null=True, blank=True)

    changelog_exclude = (
        "created",
        "last_updated",
        "step_warn_at",
        "warned",
        "overdue_notified",
        "urgent_reported_at",  # reminder bookkeeping: the urgent report's event is the history
    )

    class Meta:
        verbose_name = "矛盾纠纷"
        verbose_name_plural = "矛盾纠纷"
        ordering = ["-reported_at"]
        default_permissions = ("view", "add", "change", "delete", "export")
        permissions = [
            ("assess_dispute", "纠纷研判"),
            ("dispatch_dispute", "纠纷分流"),
            ("mediate_dispute", "纠纷调解"),
            ("verify_dispute", "纠纷核查"),
            ("archive_dispute", "纠纷归档"),
            ("supervise_dispute", "纠纷督办"),
            ("view_party_dispute", "查看当事人信息"),
            ("receive_urgent_dispute", "接收紧急纠纷上报"),
        ]
        indexes = [
            models.Index(fields=["state", "step_deadline"], name="dispute_state_deadline_idx"),
            models.Index(fields=["region_code", "reported_at"], name="dispute_region_time_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("disputes:dispute", args=[self.pk])

    def validate_unique(self, exclude=None):
        """Numbers come from the day's counter (`disputes/numbering.py`), never from a user."""
        super().validate_unique(exclude={*(exclude or ()), "number"})

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def urgent(self) -> bool:
        """Reported upwards at once: a risk flag or level 重大."""
        return self.level == DisputeLevel.MAJOR or self.has_risk

    @property
    def has_risk(self) -> bool:
        return self.risk_petition or self.risk_mass_incident or self.risk_criminal

    def risk_labels(self) -> list[str]:
        return [
            self._meta.get_field(name).verbose_name
            for name in ("risk_petition", "risk_mass_incident", "risk_criminal")
            if getattr(self, name)
        ]


class DisputePart(ChangeLoggedModel):
    """A part of one dispute (a party, a session, the agreement): scoped and logged with it."""

    scope_field = "dispute__region_code"
    changelog_permission = "disputes.view_dispute"

    class Meta:
        abstract = True
        default_permissions = ()

    def get_absolute_url(self) -> str:
        return self.dispute.get_absolute_url()


class DisputeParty(DisputePart):
    """申请人 or 被申请人: a person or an organisation; several on each side."""

    dispute = models.ForeignKey(
        Dispute, verbose_name="纠纷", on_delete=models.CASCADE, related_name="parties"
    )
    side = models.CharField("当事人类型", max_length=20, choices=PartySide.choices)
    kind = models.CharField(
        "个人/组织", max_length=20, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    name = EncryptedCharField("姓名/名称")
    name_index = models.CharField(max_length=64, editable=False, db_index=True)
    id_number = EncryptedCharField("证件号码/统一社会信用代码", blank=True)
    id_number_index = models.CharField(max_length=64, editable=False, db_index=True)
    phone = EncryptedCharField("联系电话", blank=True)
    phone_index = models.CharField(max_length=64, editable=False)
    address = models.CharField("住址", max_length=200, blank=True)
    person = models.ForeignKey(
        "people.Person",
        verbose_name="关联人员",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispute_parties",
    )

    sensitive_fields = {"name": "name", "id_number": "id_number", "phone": "mobile"}
    changelog_exclude = ("created", "last_updated", "name_index", "id_number_index", "phone_index")

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["side", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.masked('name')}"

    def clean(self):
        """A resident ID number or a credit code is checked (check digit, region, birth date);
        other documents (a passport) and landlines pass as typed, a mobile is checked."""
        from citygrid.core import validators

        errors = {}
        number = (self.id_number or "").strip().upper()
        self.id_number = number
        try:
            if self.kind == PartyKind.ORGANISATION and len(number) == 18:
                validators.validate_credit_code(number)
            elif self.kind == PartyKind.PERSON and RESIDENT_ID.fullmatch(number):
                validators.validate_id_number(number)
        except ValidationError as exc:
            errors["id_number"] = exc
        phone = (self.phone or "").strip()
        self.phone = phone
        if phone and not PHONE.fullmatch(phone):
            errors["phone"] = ValidationError("联系电话只能包含数字、空格和“-”")
        elif MOBILE.fullmatch(phone):
            try:
                validators.validate_mobile(phone)
            except ValidationError as exc:
                errors["phone"] = exc
        if errors:
            raise ValidationError(errors)

    def identity_index(self) -> str:
        """Who the party is across disputes: the ID number's blind index, else the name's."""
        return self.id_number_index if self.id_number else self.name_index


class MediationSession(DisputePart):
    """One scheduled mediation (调解调度): when, where, who mediates; minutes afterwards."""

    dispute = models.ForeignKey(
        Dispute, verbose_name="纠纷", on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField("调解时间")
    place = models.CharField("调解地点", max_length=200)
    mediators = models.CharField("调解员", max_length=200)
    notified_count = models.PositiveSmallIntegerField("短信通知当事人数", default=0)
    minutes = models.TextField("调解笔录", blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="安排人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "调解安排"
        verbose_name_plural = "调解安排"
        ordering = ["starts_at", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.dispute} 调解 {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class MediationAgreement(DisputePart):
    """调解协议书: generated as a PDF from the parties and terms; the signed copy uploaded."""

    dispute = models.OneToOneField(
        Dispute, verbose_name="纠纷", on_delete=models.CASCADE, related_name="agreement"
    )
    terms = models.TextField("协议内容")
    document = models.FileField(
        "协议书",
        upload_to=files.UnguessableName("disputes/agreements"),
        storage=files.PrivateStorage("disputes"),
        blank=True,
    )
    signed_copy = models.FileField(
        "签字盖章件",
        upload_to=files.UnguessableName("disputes/signed"),
        storage=files.PrivateStorage("disputes"),
        blank=True,
    )
    signed_at = models.DateTimeField("签署时间", null=True, blank=True)

    class Meta:
        verbose_name = "调解协议书"
        verbose_name_plural = "调解协议书"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.dispute} 调解协议书"


class FollowUp(DisputePart):
    """A return visit to the parties 30 or 90 days after the archive (回访)."""

    dispute = models.ForeignKey(
        Dispute, verbose_name="纠纷", on_delete=models.CASCADE, related_name="follow_ups"
    )
    due_date = models.DateField("回访日期")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispute_follow_ups",
    )
    result = models.TextField("回访情况", blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "回访"
        verbose_name_plural = "回访"
        ordering = ["due_date", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.dispute} 回访 {self.due_date:%Y-%m-%d}"


class DisputeEvent(StripControlsMixin, WorkflowEvent):
    """One step of a dispute's history, written only by the action functions. Append-only."""

    dispute = models.ForeignKey(
        Dispute, verbose_name="纠纷", on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispute_events",
    )
    department = models.ForeignKey(
        "cases.Department",
        verbose_name="单位",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispute_events",
    )

    class Meta(WorkflowEvent.Meta):
        verbose_name = "纠纷办理记录"
        verbose_name_plural = "纠纷办理记录"
        indexes = [
            models.Index(fields=["action", "time"], name="disputeevent_action_time_idx"),
            models.Index(fields=["region_code", "time"], name="disputeevent_region_time_idx"),
            models.Index(fields=["dispute", "time"], name="disputeevent_dispute_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} {self.action}"


class DisputeReport(ScopedModel):
    """A level's 日报告 or 周报告: compiled automatically from the disputes in its territory,
    then submitted upward by a person."""

    kind = models.CharField("报告类型", max_length=10, choices=ReportKind.choices)
    period_start = models.DateField("起始日期")
    period_end = models.DateField("截止日期")
    content = models.JSONField("内容", default=dict)
    status = models.CharField(
        "状态", max_length=20, choices=ReportStatus.choices, default=ReportStatus.COMPILED
    )
    compiled_at = models.DateTimeField("生成时间", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)

    class Meta:
        verbose_name = "纠纷报告"
        verbose_name_plural = "纠纷报告"
        ordering = ["-period_end", "region_code", "kind"]
        default_permissions = ("view", "change")
        permissions = [("submit_disputereport", "上报纠纷报告")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "kind", "period_start"], name="disputereport_unique_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.get_kind_display()} {self.period_start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("disputes:report", args=[self.pk])

    def clean(self):
        """A submitted report is what the level above received: the write path refuses any
        further change to it, whoever asks."""
        super().clean()
        loaded = getattr(self, "_loaded_values", None) or {}
        if loaded.get("status") == ReportStatus.SUBMITTED:
            raise ValidationError("已上报的报告不能修改")


# Agreements and signed copies are visible to whoever may view their dispute.
files.register(
    "disputes",
    ("document", "signed_copy"),
    lambda user: MediationAgreement.objects.filter(
        dispute__in=Dispute.objects.restrict(user, "view")
    ),
)
from citygrid.disputes.statistics.models import DisputeRollup  # noqa: E402, F401
