from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from citygrid.core.models import ScopedModel
from citygrid.neworgs.choices import BranchKind, OrganisationKind


class ReportState(models.TextChoices):
    """A month's report: generated as a draft, submitted upward (then frozen), or returned by
    the level above with a reason (then a draft again, to be regenerated and resubmitted)."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已上报"
    RETURNED = "returned", "退回"


# The line's column holding the number of organisations with each branch kind.
BRANCH_COLUMNS = {kind: f"with_{kind}" for kind in BranchKind.values}


class MonthlyReport(ScopedModel):
    """A region's 两新组织月报 of one month: a community's is counted from its organisations, a
    township's, county's or city's is the sum of its children's submitted reports."""

    month = models.DateField("月份", help_text="当月第一天")
    state = models.CharField(
        "状态", max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    generated_at = models.DateTimeField("生成时间", default=timezone.now)
    # Where the month's window of new and closed organisations began (see reports.window).
    window_start = models.DateTimeField("统计起点", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "两新组织月报"
        verbose_name_plural = "两新组织月报"
        ordering = ["-month", "region_code"]
        default_permissions = ("view",)
        permissions = [
            ("submit_monthlyreport", "生成和上报两新组织月报"),
            ("remind_monthlyreport", "催报两新组织月报"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month"],
                name="monthlyreport_unique_month",
                violation_error_message="该区域本月已有月报",
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1),
                name="monthlyreport_first_day",
                violation_error_message="月份须为当月第一天",
            ),
        ]
        indexes = [models.Index(fields=["month", "region_code"], name="monthlyreport_month_idx")]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y年%m月}两新组织月报"

    def get_absolute_url(self) -> str:
        return reverse("neworgs:monthlyreport", args=[self.pk])

    def clean(self):
        """A submitted report is what the level above received: only the level above may
        return it (state and reason); nothing else of it changes, whoever asks."""
        super().clean()
        loaded = getattr(self, "_loaded_values", None) or {}
        if loaded.get("state") != ReportState.SUBMITTED:
            return
        returned = self.state == ReportState.RETURNED
        for name in ("month", "generated_at", "window_start", "submitted_at", "region_id"):
            if loaded.get(name) != getattr(self, name):
                returned = False
        if not returned:
            raise ValidationError("已上报的月报不能修改")

    @property
    def is_frozen(self) -> bool:
        return self.state == ReportState.SUBMITTED


class MonthlyReportLine(models.Model):
    """One organisation kind's figures in a month's report. Written only by
    `neworgs.reports` while its report is not submitted."""

    report = models.ForeignKey(
        MonthlyReport, verbose_name="月报", on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField("组织类型", max_length=30, choices=OrganisationKind.choices)
    total = models.PositiveIntegerField("期末总数", default=0)
    new = models.PositiveIntegerField("本月新增", default=0)
    closed = models.PositiveIntegerField("本月注销", default=0)
    full_time_staff = models.PositiveIntegerField("专职工作人员数", default=0)
    employees = models.PositiveIntegerField("从业人员数", default=0)
    with_party = models.PositiveIntegerField("建立党组织数", default=0)
    with_union = models.PositiveIntegerField("建立工会数", default=0)
    with_youth_league = models.PositiveIntegerField("建立共青团数", default=0)
    with_women = models.PositiveIntegerField("建立妇联数", default=0)
    with_comprehensive_office = models.PositiveIntegerField("建立综治工作室数", default=0)

    class Meta:
        verbose_name = "月报明细"
        verbose_name_plural = "月报明细"
        ordering = ["report", "kind"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="monthlyreportline_one_kind")
        ]

    def __str__(self) -> str:
        return f"{self.report}·{self.get_kind_display()}"


class MonthlyReportReminder(models.Model):
    """A 催报 sent to a late region for a month: by a person (`sent_by`) or by the periodic
    job (`sent_by` empty, at most once per region and month)."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="被催报区域", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField("月份")
    sent_at = models.DateTimeField("催报时间", default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="催报人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    automatic = models.BooleanField("自动催报", default=False)
    recipients = models.PositiveIntegerField("提醒人数", default=0)

    class Meta:
        verbose_name = "月报催报记录"
        verbose_name_plural = "月报催报记录"
        ordering = ["-sent_at"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month"],
                condition=models.Q(automatic=True),
                name="monthlyreportreminder_one_automatic",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.month:%Y年%m月}催报"
