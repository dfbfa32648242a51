from django.conf import settings
from django.db import models
from django.urls import reverse

from citygrid.cases.choices import SupervisionLevel, SupervisionStatus
from citygrid.core.models import ScopedModel


class SupervisionOrder(ScopedModel):
    """A 督办单: an order to a department about a late case or dispute (its `subject`), which
    the department must answer."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name="事件",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    dispute = models.ForeignKey(
        "disputes.Dispute",
        verbose_name="纠纷",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    department = models.ForeignKey(
        "cases.Department",
        verbose_name="被督办部门",
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    level = models.PositiveSmallIntegerField(
        "督办级别", choices=SupervisionLevel.choices, default=SupervisionLevel.GENERAL
    )
    required_by = models.DateTimeField("要求完成时间")
    instructions = models.TextField("督办意见")
    status = models.CharField(
        "状态",
        max_length=20,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
        db_index=True,
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="issued_supervision_orders",
    )
    answer = models.TextField("回复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answered_supervision_orders",
    )
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)
    escalated_to = models.ForeignKey(
        "self",
        verbose_name="升级为",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="escalated_from",
    )

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-created"]
        default_permissions = ("view", "add", "change", "delete", "export")
        permissions = [("answer_supervisionorder", "回复督办")]

    def __str__(self) -> str:
        subject = self.subject
        target = subject.number if subject is not None else self.department.name
        return f"{self.get_level_display()}：{target}"

    @property
    def subject(self):
        """The case or dispute this order is about (None for an order about a department)."""
        if self.case_id:
            return self.case
        if self.dispute_id:
            return self.dispute
        return None

    def get_absolute_url(self) -> str:
        return reverse("cases:supervisionorder", args=[self.pk])
