"""What every workflow's record and event carry, so one engine (`cases/workflow.py`,
`cases/engine.py`, `cases/clock.py`, `cases/sweep.py`) serves cases and disputes alike.

The record caches its current step's clock for the desks' sorting; the truth is its typed
event history, an append-only table per workflow with the same columns.
"""

from django.db import models
from django.utils import timezone

from citygrid.cases.choices import Lateness, TimeUnit


class StepClock(models.Model):
    """The current step's clock of a workflow record (see `cases/clock.py`)."""

    step_started = models.DateTimeField("环节开始", null=True, blank=True)
    step_deadline = models.DateTimeField("环节时限", null=True, blank=True, db_index=True)
    step_warn_at = models.DateTimeField("预警时间", null=True, blank=True)
    paused_at = models.DateTimeField("挂账/暂停时间", null=True, blank=True)
    # Working seconds the current step spent suspended: excluded from its elapsed time.
    paused_seconds = models.PositiveIntegerField("本环节暂停时长（秒）", default=0)
    # The unit of the current step's limit, so lateness is measured the way the limit was set.
    step_unit = models.CharField("时限单位", max_length=20, choices=TimeUnit.choices, blank=True)
    warned = models.BooleanField("已发预警", default=False)
    overdue_notified = models.BooleanField("已发超期提醒", default=False)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        raise NotImplementedError

    def lateness(self, now=None) -> str:
        """On time, warning (≥ 80 % of the step's limit used) or overdue."""
        if not self.step_deadline or not self.is_open or self.paused_at:
            return Lateness.ON_TIME
        now = now or timezone.now()
        if now >= self.step_deadline:
            return Lateness.OVERDUE
        if self.step_warn_at and now >= self.step_warn_at:
            return Lateness.WARNING
        return Lateness.ON_TIME


class WorkflowEvent(models.Model):
    """One step of a record's history, written only by the engine's action functions. The
    concrete event adds the record's foreign key, its actor and its department."""

    action = models.CharField("操作", max_length=30, db_index=True)
    from_state = models.CharField("原状态", max_length=20, blank=True)
    to_state = models.CharField("新状态", max_length=20, blank=True)
    time = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor_name = models.CharField("操作人姓名", max_length=150, blank=True)
    note = models.TextField("意见", blank=True)
    step = models.CharField("环节", max_length=20, blank=True)
    step_deadline = models.DateTimeField("环节时限", null=True, blank=True)
    # For actions that finish a step: was it finished within the limit?
    on_time = models.BooleanField("按期", null=True, blank=True)
    # Working seconds the finished step took (clock stopped while suspended).
    elapsed_seconds = models.PositiveIntegerField("用时（秒）", null=True, blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    region_code = models.CharField("区域代码", max_length=15, db_index=True)

    class Meta:
        abstract = True
        ordering = ["time", "id"]
        default_permissions = ("view",)
