from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.choices import OPEN_STATES, CaseKind, CaseState, Channel, Step, Urgency
from citygrid.cases.models.workflow import StepClock, WorkflowEvent
from citygrid.core import files
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ScopedModel
from citygrid.core.text import StripControlsMixin
from citygrid.regions.choices import RegionLevel


class Case(StepClock, ScopedModel):
    """One problem to solve (事件 or 部件问题), from report to evaluation.

    The state and the current step's clock are cached here for the desk's queries; the truth is
    the `CaseEvent` history written by the action functions in `cases/actions.py`.
    """

    number = models.CharField("案件编号", max_length=20, unique=True)
    kind = models.CharField("类型", max_length=20, choices=CaseKind.choices)
    category = models.ForeignKey(
        "cases.CaseCategory", verbose_name="小类", on_delete=models.PROTECT, related_name="cases"
    )
    urgency = models.CharField(
        "紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField("问题描述")
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField("经度")
    lat = models.FloatField("纬度")
    channel = models.CharField("来源", max_length=20, choices=Channel.choices, db_index=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
    )
    reporter_name = EncryptedCharField("上报人", max_length=50, blank=True)
    reporter_phone = EncryptedCharField("上报人电话", blank=True)
    reporter_phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    # A citizen may report anonymously: staff without `cases.view_reporter` see no name or phone.
    anonymous = models.BooleanField("匿名上报", default=False)
    state = models.CharField(
        "状态",
        max_length=20,
        choices=CaseState.choices,
        default=CaseState.REPORTED,
        db_index=True,
    )
    department = models.ForeignKey(
        "cases.Department",
        verbose_name="责任部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    # The level now responsible (raised by escalation: grid → community → ... → city).
    level = models.CharField(
        "处置层级", max_length=20, choices=RegionLevel.choices, default=RegionLevel.GRID
    )
    step = models.CharField("当前环节", max_length=20, choices=Step.choices, blank=True)
    resume_state = models.CharField(
        "恢复后状态", max_length=20, choices=CaseState.choices, blank=True
    )
    extension_hours = models.DecimalField(
        "申请延期（工作时）", max_digits=6, decimal_places=2, null=True, blank=True
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        verbose_name="疑似重复",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name="合并至",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    reported_at = models.DateTimeField("上报时间", default=timezone.now, db_index=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    # A phone may retry a report it already sent; the same key never makes a second case.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    sensitive_fields = {"reporter_phone": "mobile", "reporter_name": "name"}
    changelog_exclude = (
        "created",
        "last_updated",
        "reporter_phone_index",
        "step_warn_at",
        "warned",
        "overdue_notified",
    )

    class Meta:
        verbose_name = "事件"
        verbose_name_plural = "事件"
        ordering = ["-reported_at"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        permissions = [
            ("register_case", "受理立案"),
            ("dispatch_case", "派遣"),
            ("handle_case", "部门处置"),
            ("verify_case", "核查"),
            ("close_case", "结案"),
            ("evaluate_case", "评价"),
            ("approve_extension_case", "审批延期"),
            ("suspend_case", "挂账"),
            ("escalate_case", "上报上级"),
            ("supervise_case", "督办"),
            ("merge_case", "合并重复"),
            ("view_reporter_case", "查看匿名上报人"),
        ]
        indexes = [
            models.Index(fields=["state", "step_deadline"], name="case_state_deadline_idx"),
            # The duplicate search: same minor class, a narrow longitude band.
            models.Index(fields=["category", "lng"], name="case_category_lng_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def validate_unique(self, exclude=None):
        """Numbers come from the day's sequence (`cases/numbering.py`), never from a user: the
        unique index backs them, and reading it back first would cost every intake a query."""
        super().validate_unique(exclude={*(exclude or ()), "number"})

    def get_absolute_url(self) -> str:
        return reverse("cases:case", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseEvent(StripControlsMixin, WorkflowEvent):
    """One step of a case's history, written only by the action functions. Append-only."""

    case = models.ForeignKey(
        Case, verbose_name="事件", on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_events",
    )
    department = models.ForeignKey(
        "cases.Department",
        verbose_name="部门",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )

    class Meta(WorkflowEvent.Meta):
        verbose_name = "案件事件记录"
        verbose_name_plural = "案件事件记录"
        indexes = [
            models.Index(fields=["action", "time"], name="caseevent_action_time_idx"),
            # Indicators cut by region and period, and look up a case's last event before T.
            models.Index(fields=["region_code", "time"], name="caseevent_region_time_idx"),
            models.Index(fields=["case", "time"], name="caseevent_case_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.action}"


class CaseAttachment(models.Model):
    """A photo of a case, before (report) or after (report back, verification)."""

    class Stage(models.TextChoices):
        BEFORE = "before", "处置前"
        AFTER = "after", "处置后"
        VERIFY = "verify", "核查"

    case = models.ForeignKey(
        Case, verbose_name="事件", on_delete=models.CASCADE, related_name="attachments"
    )
    event = models.ForeignKey(
        CaseEvent,
        verbose_name="环节",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    stage = models.CharField("阶段", max_length=10, choices=Stage.choices)
    # Staff mark a photo private when it shows what the public must not see (faces, plates,
    # a home's inside): it then stays off the citizens' progress page.
    private = models.BooleanField("不公开", default=False)
    image = models.ImageField(
        "照片", upload_to=files.UnguessableName("cases"), storage=files.PrivateStorage("cases")
    )
    thumbnail = models.ImageField(
        "缩略图",
        upload_to=files.UnguessableName("cases/thumbs"),
        storage=files.PrivateStorage("cases"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "案件照片"
        verbose_name_plural = "案件照片"
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_stage_display()}"


# A photo (and its thumbnail) is visible to whoever may view its case.
files.register(
    "cases",
    ("image", "thumbnail"),
    lambda user: CaseAttachment.objects.filter(case__in=Case.objects.restrict(user, "view")),
)
