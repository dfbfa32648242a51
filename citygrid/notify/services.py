"""What other apps call to reach people: SMS and in-app notifications.

    send_sms(phone, template_code, params, *, related=None, region_code="", secret_params=())
        -> SmsMessage
        Render the active template `template_code` with `params`, save the message in the
        outbox (status "queued") and return it. The message goes to the configured backend
        (`settings.SMS_BACKEND`) only after the current transaction commits, through the task
        queue: an action that rolls back sends nothing. Raises ValueError, saving nothing, for
        a malformed phone number, an unknown or inactive template, or a missing parameter.
        Delivery failures never reach the caller: the row records status "failed" and the error
        (a transient one is retried later first, see `tasks`).
        `region_code` scopes the outbox row; when blank it is the scope code of `related`.
        `secret_params` name one-time values (a verification code): the outbox keeps them, in
        the params and in the text, only until the message is sent or has failed.

    notify_user(user, title, body="", url="", level="info") -> Notification
        An in-app notification; part of the caller's transaction like any other write.

    unread_count(user) -> int
        The number behind the header bell.

Call them from action functions, never from signals. Texts and their parameters are data
(`SmsTemplate`, seeded in `seeds.py`).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from citygrid.core.validators import normalize_mobile
from citygrid.notify.choices import NotificationLevel
from citygrid.notify.delivery import queue_delivery
from citygrid.notify.models import Notification, SmsMessage, SmsTemplate


def send_sms(
    phone: str,
    template_code: str,
    params: dict,
    *,
    related=None,
    region_code: str = "",
    secret_params: tuple[str, ...] = (),
) -> SmsMessage:
    number = normalize_mobile(phone)
    template = SmsTemplate.objects.filter(code=template_code, active=True).first()
    if template is None:
        raise ValueError(f"短信模板 {template_code} 不存在或已停用")
    body = template.render(params)
    signature = settings.SMS_SIGNATURE
    message = SmsMessage(
        phone=number,
        template=template,
        params={key: str(value) for key, value in params.items()},
        secret_params=list(secret_params),
        text=f"【{signature}】{body}" if signature else body,
        region_code=region_code or _scope_of(related),
    )
    if related is not None:
        message.content_type = ContentType.objects.get_for_model(related)
        message.object_id = related.pk
    message.save()
    transaction.on_commit(lambda: queue_delivery(message.pk), robust=True)
    return message


def _scope_of(related) -> str:
    # The related record's own scope code (`region_code`, or `code` for a region), as the
    # change log reads it.
    field = getattr(related, "scope_field", None)
    return (getattr(related, field, "") or "") if field else ""


def notify_user(
    user, title: str, body: str = "", url: str = "", level: str = NotificationLevel.INFO
) -> Notification:
    if level not in NotificationLevel.values:
        raise ValueError(f"未知的消息级别：{level}")
    return Notification.objects.create(
        recipient=user, title=title[:200], body=body, url=url, level=level
    )


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def mark_all_read(user) -> int:
    """Mark every unread notification of `user` read; returns how many were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
