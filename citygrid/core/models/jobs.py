from django.conf import settings
from django.db import models

from citygrid.core import files


class ImportJob(models.Model):
    """One uploaded import file and its progress; the work runs as a background task."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        INVALID = "invalid", "校验未通过"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导入人",
        on_delete=models.CASCADE,
        related_name="import_jobs",
    )
    resource = models.CharField("数据类型", max_length=100)
    file = models.FileField(
        "文件",
        upload_to=files.UnguessableName("imports"),
        storage=files.PrivateStorage("imports", private=True),
    )
    file_name = models.CharField("文件名", max_length=200)
    valid_only = models.BooleanField("仅导入有效行", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    skipped_count = models.PositiveIntegerField("跳过", default=0)
    # [{"row": 3, "column": "区划代码", "message": "..."}]
    errors = models.JSONField("错误", default=list, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    # The lease: the worker beats while it runs; `reap_import_jobs` fails a job whose worker
    # stopped beating (killed, machine down), which would otherwise stay "导入中" forever.
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    finished = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.INVALID, self.Status.DONE, self.Status.FAILED}


# An import file is its uploader's alone: it may hold other people's personal data in bulk.
files.register("imports", ("file",), lambda user: ImportJob.objects.filter(user=user))


class ExportJob(models.Model):
    """An export too big to build in a request: the file is written by a background task, then
    downloaded by the one who asked for it. It holds the filters and the masking choice as they
    were at request time; the scope is the user's own, re-applied when the task runs."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导出中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="导出人",
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    resource = models.CharField("数据类型", max_length=100)
    # The export view (dotted path): its queryset and filter set are the list's, so the job
    # selects exactly what the same request would have.
    view = models.CharField("导出视图", max_length=200)
    # The list's query parameters: {"level": ["grid"]}.
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    format = models.CharField("格式", max_length=10, default="xlsx")
    reveal = models.BooleanField("明文", default=False)
    reason = models.CharField("明文事由", max_length=200, blank=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    file = models.FileField(
        "文件",
        upload_to=files.UnguessableName("exports"),
        storage=files.PrivateStorage("exports", private=True),
        blank=True,
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)
    message = models.CharField("说明", max_length=500, blank=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    finished = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.resource} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


# An export file is its requester's alone: it is personal data in bulk, selected with their scope.
files.register("exports", ("file",), lambda user: ExportJob.objects.filter(user=user))
