from django.conf import settings
from django.db import models


class SubmittedAction(models.Model):
    """A verification, visit log or task the grid app has uploaded, by its client-generated key.

    A phone retries what it queued offline until it sees an answer; the key makes the second
    upload answer with the first one's result instead of acting twice. Reports need no row here:
    the intake service dedups them on `Case.idempotency_key`.
    """

    class Kind(models.TextChoices):
        VERIFICATION = "verification", "事件核查"
        VISIT = "visit", "走访日志"
        PATROL = "patrol", "巡查任务"
        ANSWER = "answer", "核查任务"
        OWN_PATROL = "own_patrol", "新建巡查任务"

    key = models.CharField("幂等键", max_length=64, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.CASCADE,
        related_name="submitted_actions",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="事件",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    visit = models.ForeignKey(
        "cases.Visit",
        verbose_name="走访日志",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    task = models.ForeignKey(
        "cases.Task",
        verbose_name="巡查任务",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "移动端提交记录"
        verbose_name_plural = "移动端提交记录"
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
