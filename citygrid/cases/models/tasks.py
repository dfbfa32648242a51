from django.conf import settings
from django.db import models
from django.urls import reverse

from citygrid.cases.choices import TaskKind, TaskStatus, VerificationOutcome
from citygrid.core.models import ScopedModel


class Task(ScopedModel):
    """A job for a grid worker: patrol a grid, or verify (核查) on site a case or the registered
    data of a person or a house (a 核查任务 sent from above, answered from the grid app)."""

    kind = models.CharField("类型", max_length=20, choices=TaskKind.choices)
    title = models.CharField("标题", max_length=100)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执行人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="关联事件",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    start_date = models.DateField("开始日期", null=True, blank=True)
    end_date = models.DateField("结束日期", null=True, blank=True)
    frequency = models.CharField("频次", max_length=50, blank=True, help_text="如：每日一次")
    # Check-in points: [{"name": "...", "lng": .., "lat": ..}]
    checkpoints = models.JSONField("打卡点", default=list, blank=True)
    due_at = models.DateTimeField("截止时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    # A data-verification task is about one person or one house (the cases app knows them only
    # by these references: it sits below people and housing).
    person = models.ForeignKey(
        "people.Person",
        verbose_name="核查人员",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="verification_tasks",
    )
    house = models.ForeignKey(
        "housing.House",
        verbose_name="核查房屋",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="verification_tasks",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_tasks",
    )
    instructions = models.TextField("核查要求", blank=True)
    result = models.TextField("执行情况", blank=True)
    outcome = models.CharField(
        "核查结论", max_length=20, choices=VerificationOutcome.choices, blank=True
    )
    corrections = models.TextField("更正内容", blank=True, help_text="信息有误时写明正确信息")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["status", "due_at", "-created"]
        default_permissions = ("view", "add", "change", "delete", "export")
        permissions = [("send_verification_task", "发起核查任务")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person__isnull=False, house__isnull=False),
                name="task_one_verification_target",
                violation_error_message="核查任务只能针对一个人员或一处房屋",
            )
        ]
        indexes = [
            # The grid app's list: my open tasks.
            models.Index(fields=["assignee", "status"], name="task_assignee_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:task", args=[self.pk])

    @property
    def target(self):
        """The person or house a data-verification task is about (None otherwise)."""
        return self.person or self.house


class Visit(ScopedModel):
    """A 走访日志 entry: who was visited, when, where, what was found, when to come back."""

    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="走访人",
        on_delete=models.SET_NULL,
        null=True,
        related_name="visits",
    )
    target = models.CharField("走访对象", max_length=100, help_text="人员、房屋或场所")
    # Set when the visit was to a registered person: their trail on the map is built from it.
    person = models.ForeignKey(
        "people.Person",
        verbose_name="走访人员",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )
    visited_at = models.DateTimeField("走访时间")
    place = models.CharField("地点", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    findings = models.TextField("走访情况")
    next_visit = models.DateField("下次走访", null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="转为事件",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
    )

    class Meta:
        verbose_name = "走访日志"
        verbose_name_plural = "走访日志"
        ordering = ["-visited_at"]
        default_permissions = ("view", "add", "change", "delete", "export")

    def __str__(self) -> str:
        return f"{self.visited_at:%Y-%m-%d} {self.target}"

    def get_absolute_url(self) -> str:
        return reverse("cases:visit", args=[self.pk])
