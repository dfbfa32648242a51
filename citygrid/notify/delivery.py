"""Delivery of queued SMS through the configured backend, one try per task run.

A try that may pass later (`RetryLater`: throttling, a provider fault) saves the row back to
"queued" with the error and queues the task again to run after the backend's backoff, in the
same transaction, so a retry is never lost and no worker sleeps waiting for it. The tries are
counted on the row (`attempts`); the backend stops asking for more at its limit.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from citygrid.core.validators import mask_mobile
from citygrid.notify.backends import get_backend
from citygrid.notify.backends.base import RetryLater
from citygrid.notify.backends.outbox import OutboxBackend
from citygrid.notify.choices import SmsStatus
from citygrid.notify.models import SmsMessage

logger = logging.getLogger(__name__)


@task()
def deliver_sms(message_id: int) -> None:
    """Background delivery: a provider's slow gateway never holds up the request that sent."""
    deliver(message_id)


def queue_delivery(message_id: int, delay: float = 0) -> None:
    """Queue a delivery try, after `delay` seconds (the task backend must support `run_after`,
    as the database and RQ backends do)."""
    delivery = deliver_sms
    if delay > 0:
        delivery = deliver_sms.using(run_after=timezone.now() + timedelta(seconds=delay))
    delivery.enqueue(message_id)


def deliver(message_id: int) -> None:
    """Make one try at handing a queued (or previously failed) message to the backend and
    record the outcome.

    A message already sent is left alone, so a task that runs twice does not send twice.
    """
    message = SmsMessage.objects.filter(
        pk=message_id, status__in=[SmsStatus.QUEUED, SmsStatus.FAILED]
    ).first()
    if message is None:
        return
    message.attempts += 1
    retry_in = None
    try:
        backend = get_backend()
        message.backend = backend.name
        backend.send(message)
    except RetryLater as retry:
        message.status = SmsStatus.QUEUED
        message.error = retry.error[:500]
        retry_in = retry.seconds
    except Exception as exc:  # noqa: BLE001 - any backend failure is recorded, never raised
        error = str(exc) or type(exc).__name__
        # Provider errors may echo the request; the number must not reach the row or the log.
        error = error.replace(message.phone, mask_mobile(message.phone))
        message.status = SmsStatus.FAILED
        message.error = error[:500]
        logger.warning("SMS #%s via %s failed: %s", message.pk, message.backend, message.error)
    if retry_in is None and message.backend != OutboxBackend.name:
        # The try is over: a verification code must not stay readable in the outbox. The
        # trial's outbox backend is the exception, as its page is where the text is delivered.
        message.forget_secrets()
    with transaction.atomic():
        message.save(
            update_fields=[
                "status",
                "backend",
                "provider_message_id",
                "error",
                "attempts",
                "sent_at",
                "params",
                "text",
            ]
        )
        if retry_in is not None:
            queue_delivery(message.pk, retry_in)
