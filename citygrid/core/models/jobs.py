from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from citygrid.core import files
from citygrid.core.text import StripControlsMixin


def status_field(status: type[models.TextChoices]) -> models.CharField:
    """The one status column, with the kind's own state labels (导入中 / 导出中)."""
    return models.CharField("状态", max_length=10, choices=status.choices, default=status.PENDING)


class Job(StripControlsMixin, models.Model):
    """A user's file job run by a background worker: imports and exports alike.

    Each kind declares `Status` (at least PENDING, RUNNING, DONE, FAILED; every state besides
    PENDING and RUNNING is final), `status = status_field(Status)` and `lost_message`.

    The lease: the worker beats (`beat`) while it runs; `reap_lost` fails a job whose worker
    stopped beating (killed, machine down), which would otherwise stay "running" forever.
    """

    Status: type[models.TextChoices]
    # Why a reaped job failed, shown on its page.
    lost_message: str

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )
    resource = models.CharField("数据类型", max_length=100)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    finished = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created", "-pk"]

    @property
    def percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status not in {self.Status.PENDING, self.Status.RUNNING}

    @property
    def resource_label(self) -> str:
        """The record type in words (a resource key is `app_label.model_name`)."""
        return str(apps.get_model(self.resource)._meta.verbose_name)

    @property
    def title(self) -> str:
        return self.resource_label

    # Whether the job's product is a file its owner downloads (an export), not written records.
    offers_download = False

    @property
    def download_url(self) -> str:
        """The finished file, while it is kept; empty otherwise."""
        if self.offers_download and self.status == self.Status.DONE and self.file:
            return self.file.url
        return ""

    def beat(self, **progress) -> None:
        """Renew the lease, saving the progress columns passed along, and nothing else: the job
        page and the reaper read the row while the worker holds the instance."""
        type(self).objects.filter(pk=self.pk).update(heartbeat_at=timezone.now(), **progress)

    @classmethod
    def reap_lost(cls, now=None) -> int:
        """Fail the jobs whose worker has not beaten for a whole lease; returns how many. A job
        still waiting in the queue has no heartbeat and is left alone."""
        now = now or timezone.now()
        lost = cls.objects.filter(
            status__in=[cls.Status.PENDING, cls.Status.RUNNING],
            heartbeat_at__lt=now - timedelta(seconds=settings.JOB_LEASE_SECONDS),
        )
        return lost.update(status=cls.Status.FAILED, message=cls.lost_message, finished=now)


class ImportJob(Job):
    """One uploaded import file and its progress; the work runs as a background task."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        INVALID = "invalid", "校验未通过"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    # Its write transaction died with the worker's connection.
    lost_message = "导入任务中断（处理进程已停止），未写入任何数据，请重新导入"

    file = models.FileField(
        "文件",
        upload_to=files.UnguessableName("imports"),
        storage=files.PrivateStorage("imports", private=True),
    )
    file_name = models.CharField("文件名", max_length=200)
    valid_only = models.BooleanField("仅导入有效行", default=False)
    status = status_field(Status)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    skipped_count = models.PositiveIntegerField("跳过", default=0)
    # [{"row": 3, "column": "区划代码", "message": "..."}]
    errors = models.JSONField("错误", default=list, blank=True)

    class Meta(Job.Meta):
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("core:importjob", args=[self.pk])

    @property
    def title(self) -> str:
        return f"{self.resource_label}：{self.file_name}"


# An import file is its uploader's alone: it may hold other people's personal data in bulk.
files.register("imports", ("file",), lambda user: ImportJob.objects.filter(user=user))


class ExportJob(Job):
    """An export too big to build in a request: the file is written by a background task, then
    downloaded by the one who asked for it. It holds the filters and the masking choice as they
    were at request time; the scope is the user's own, re-applied when the task runs."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导出中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    lost_message = "导出任务中断（处理进程已停止），请重新导出"
    offers_download = True

    # The export view (dotted path): its queryset and filter set are the list's, so the job
    # selects exactly what the same request would have.
    view = models.CharField("导出视图", max_length=200)
    # The list's query parameters: {"level": ["grid"]}.
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    format = models.CharField("格式", max_length=10, default="xlsx")
    reveal = models.BooleanField("明文", default=False)
    reason = models.CharField("明文事由", max_length=200, blank=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    # Named when the worker starts writing, so that the half-written file of a lost job is
    # pruned like any other; downloadable only once the job is done.
    file = models.FileField(
        "文件",
        upload_to=files.UnguessableName("exports"),
        storage=files.PrivateStorage("exports", private=True),
        blank=True,
    )
    status = status_field(Status)

    class Meta(Job.Meta):
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"

    def __str__(self) -> str:
        return f"{self.resource_label} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("core:exportjob", args=[self.pk])


# An export file is its requester's alone: personal data in bulk, selected with their scope.
files.register(
    "exports",
    ("file",),
    lambda user: ExportJob.objects.filter(user=user, status=ExportJob.Status.DONE),
)
