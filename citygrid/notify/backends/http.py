"""What the provider backends share: one signed POST, error mapping, retries with backoff.

A provider backend implements `submit(message) -> provider message id` and raises
`ProviderError` for any refusal. `HttpSmsBackend.send` makes one try. A retryable refusal
(throttling, 5xx, timeouts) raises `RetryLater` while the message has tries left
(`message.attempts`, counted by the sender, at most `max_attempts`), asking for retry n after
`backoff * 2**(n-1)` seconds (capped): the delivery task is queued again for then, and no worker
sleeps. A permanent refusal (bad number, template or signature not approved, wrong credentials)
is recorded at once and never retried: sending it again would fail the same way and may be billed.

Phones never reach a log line or the row's error in clear: provider messages may echo the
request, so errors are masked before they are stored.
"""

import logging
from dataclasses import dataclass

import requests
from django.conf import settings

from citygrid.core.validators import mask_mobile
from citygrid.notify.backends.base import BaseSmsBackend, RetryLater

logger = logging.getLogger(__name__)

# Longest wait before a retry, whatever the attempt number: a text delayed longer (a verification
# code, a deadline reminder) has lost most of its use.
MAX_BACKOFF_SECONDS = 30.0


@dataclass
class ProviderError(Exception):
    """A provider refused or could not be reached. `code` is the provider's own error code."""

    code: str
    message: str = ""
    retryable: bool = False

    def __str__(self) -> str:
        return f"{self.code}：{self.message}" if self.message else self.code


@dataclass
class HttpReply:
    status: int
    data: object


def post(session: requests.Session, url: str, *, timeout: float, **kwargs) -> HttpReply:
    """POST and parse a JSON answer; transport failures and 5xx become retryable errors."""
    try:
        response = session.post(url, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise ProviderError("Timeout", "服务商接口超时", retryable=True) from exc
    except requests.RequestException as exc:
        raise ProviderError("ConnectionError", "无法连接服务商接口", retryable=True) from exc
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code >= 500:
        raise ProviderError(f"HTTP {response.status_code}", "服务商接口故障", retryable=True)
    if data is None:
        raise ProviderError(f"HTTP {response.status_code}", "服务商应答不是 JSON")
    return HttpReply(response.status_code, data)


def backoff_delay(retry: int, base: float) -> float:
    """Seconds to wait before retry number `retry` (1, 2, ...): doubling, capped."""
    return min(MAX_BACKOFF_SECONDS, base * 2 ** (retry - 1))


class HttpSmsBackend(BaseSmsBackend):
    """A provider reached over signed HTTP; subclasses implement `submit`."""

    # Key of the provider's settings dict (`settings.SMS_ALIYUN` ...).
    settings_name = ""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        config = {**getattr(settings, self.settings_name, {}), **options}
        self.config = config
        self.timeout = float(config.get("timeout", settings.SMS_HTTP_TIMEOUT))
        self.max_attempts = max(1, int(config.get("max_attempts", settings.SMS_MAX_ATTEMPTS)))
        self.backoff = float(config.get("backoff", settings.SMS_RETRY_BACKOFF))
        self.session = requests.Session()

    def submit(self, message) -> str:
        raise NotImplementedError

    def send(self, message) -> None:
        try:
            provider_id = self.submit(message)
        except ProviderError as error:
            text = masked(str(error), message.phone)
            retry = error.retryable and message.attempts < self.max_attempts
            logger.warning(
                "SMS #%s via %s, try %s/%s: %s%s",
                message.pk,
                self.name,
                message.attempts,
                self.max_attempts,
                text,
                " (will retry)" if retry else "",
            )
            if retry:
                raise RetryLater(text, backoff_delay(message.attempts, self.backoff)) from error
            self.mark_failed(message, text)
            return
        self.mark_sent(message, provider_id)

    def template_id(self, message, field: str) -> str:
        """The provider's id of our template: the template's own field, else the settings map."""
        template = message.template
        value = getattr(template, field) or self.config.get("templates", {}).get(template.code, "")
        if not value:
            raise ProviderError(
                "TemplateNotMapped", f"短信模板 {template.code} 未配置服务商模板编号"
            )
        return value


def masked(text: str, phone: str) -> str:
    return text.replace(phone, mask_mobile(phone)) if phone else text
