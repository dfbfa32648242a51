from django.utils import timezone

from citygrid.notify.choices import SmsStatus


class RetryLater(Exception):
    """This try failed in a way that may pass later: queue the message again in `seconds`.

    The worker does not wait: the delivery task is queued to run after the delay, so a throttled
    provider never holds a worker. `error` (masked) is kept on the row meanwhile.
    """

    def __init__(self, error: str, seconds: float) -> None:
        super().__init__(error)
        self.error = error
        self.seconds = seconds


class BaseSmsBackend:
    """Makes one try at delivering an `SmsMessage` and records the outcome on it; the caller
    saves the row.

    `send()` either marks the message (`mark_sent` / `mark_failed`), raises `RetryLater` for a
    transient failure worth another try, or raises anything else; the sending service turns
    any other exception into a failed message, so a subclass need not catch network errors.
    Never put the phone number in an exception or a log line in clear.
    """

    # Written to `SmsMessage.backend`.
    name = ""

    def __init__(self, **options) -> None:
        self.options = options

    def send(self, message) -> None:
        raise NotImplementedError

    def mark_sent(self, message, provider_message_id: str = "") -> None:
        message.backend = self.name
        message.status = SmsStatus.SENT
        message.provider_message_id = provider_message_id
        message.error = ""
        message.sent_at = timezone.now()

    def mark_failed(self, message, error: str) -> None:
        message.backend = self.name
        message.status = SmsStatus.FAILED
        message.error = error[:500]
