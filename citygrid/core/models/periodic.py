from django.db import models


class PeriodicJob(models.Model):
    """When a periodic job (`settings.PERIODIC_JOBS`) is next due, shared by every scheduler.

    The row, not a scheduler's memory, holds the schedule: a restarted scheduler carries on where
    the last one stopped, and of several schedulers reading the same due time only the one whose
    conditional UPDATE moves it on queues the run (see `core.periodic`).
    """

    name = models.CharField("名称", max_length=50, unique=True)
    due = models.DateTimeField("下次执行时间")
    last_queued = models.DateTimeField("上次排队时间", null=True, blank=True)
    # The queued task's result id: a run still waiting in the queue is not queued twice.
    task_id = models.CharField("任务编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
