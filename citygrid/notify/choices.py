from django.db import models


class SmsStatus(models.TextChoices):
    """Where an outgoing SMS is in its life."""

    # Saved, waiting for the transaction to commit and the backend to take it, or for its next
    # try after a failure that may pass (throttling, a provider fault; `error` says which).
    QUEUED = "queued", "待发送"
    # Accepted by the backend (the outbox, the console or a provider's gateway).
    SENT = "sent", "已发送"
    # The backend refused it or could not be reached; `error` says why.
    FAILED = "failed", "发送失败"
    # The provider's delivery receipt confirmed it reached the handset.
    DELIVERED = "delivered", "已送达"


SMS_STATUS_BADGE = {
    SmsStatus.QUEUED: "secondary",
    SmsStatus.SENT: "blue",
    SmsStatus.FAILED: "red",
    SmsStatus.DELIVERED: "green",
}


class NotificationLevel(models.TextChoices):
    INFO = "info", "一般"
    WARNING = "warning", "提醒"
    DANGER = "danger", "紧急"


NOTIFICATION_LEVEL_BADGE = {
    NotificationLevel.INFO: "azure",
    NotificationLevel.WARNING: "orange",
    NotificationLevel.DANGER: "red",
}


# What each SMS backend (`SmsMessage.backend`) is called on screen.
SMS_BACKEND_LABELS = {
    "outbox": "发件箱（不外发）",
    "console": "控制台",
    "aliyun": "阿里云短信",
    "tencent": "腾讯云短信",
}


class ReceiptState(models.TextChoices):
    """Where one recipient is with a directive; derived from its timestamps and the deadline."""

    UNREAD = "unread", "未读"
    READ = "read", "已读"
    ACKNOWLEDGED = "acknowledged", "已签收"
    ANSWERED = "answered", "已反馈"
    OVERDUE = "overdue", "逾期"


RECEIPT_STATE_BADGE = {
    ReceiptState.UNREAD: "secondary",
    ReceiptState.READ: "azure",
    ReceiptState.ACKNOWLEDGED: "blue",
    ReceiptState.ANSWERED: "green",
    ReceiptState.OVERDUE: "red",
}
