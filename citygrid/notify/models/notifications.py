from django.conf import settings
from django.db import models

from citygrid.notify.choices import NOTIFICATION_LEVEL_BADGE, NotificationLevel


class Notification(models.Model):
    """A message to one user inside the system (the bell in the header): "案件即将超期" ...

    Private to its recipient: only ever fetched filtered by `recipient=request.user`. Not change
    logged: it is itself a delivery record, and its only change is being read.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
        # The composite indexes below lead with the recipient.
        db_index=False,
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=500, blank=True)
    level = models.CharField(
        "级别", max_length=10, choices=NotificationLevel.choices, default=NotificationLevel.INFO
    )
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created", "-id"]
        default_permissions = ()
        indexes = [
            # Unread count for the header bell on every page.
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # "My notifications", newest first.
            models.Index(fields=["recipient", "-created"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def badge(self) -> str:
        return NOTIFICATION_LEVEL_BADGE[self.level]
