"""Tencent Cloud SMS (`SendSms`, API 3.0, version 2021-01-11), signed with TC3-HMAC-SHA256.

A JSON POST to `/`. The signature follows Tencent Cloud's "signature v3":
canonical request = `POST\\n/\\n\\n` + canonical headers (`content-type`, `host` and
`x-tc-action`, names and values lower-cased, `name:value\\n` each) + `\\n` + signed header
names + `\\n` + hex SHA-256 of the body; string to sign = `TC3-HMAC-SHA256\\n<timestamp>\\n`
`<UTC date>/sms/tc3_request\\n` + hex SHA-256 of the canonical request; the signing key is
HMAC-SHA256 chained over `"TC3" + SecretKey` → date → `sms` → `tc3_request`.

Delivery receipts arrive by Tencent's status callback at `receipts.tencent_receipt`.
"""

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from citygrid.notify.backends.http import HttpSmsBackend, ProviderError, post

SERVICE = "sms"
API_VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
DEFAULT_ENDPOINT = "https://sms.tencentcloudapi.com/"
SIGNED_HEADERS = "content-type;host;x-tc-action"

# Frequency limits and Tencent's own faults pass; daily quotas, bad numbers, unapproved templates
# or signatures and authentication failures do not.
RETRYABLE_PREFIXES = (
    "RequestLimitExceeded",
    "InternalError.Timeout",
    "InternalError.RequestTimeException",
    "LimitExceeded.DeliveryFrequencyLimit",
    "LimitExceeded.PhoneNumberThirtySecondLimit",
    "LimitExceeded.PhoneNumberOneHourLimit",
)
RETRYABLE_CODES = {"InternalError"}


def is_retryable(code: str) -> bool:
    return code in RETRYABLE_CODES or code.startswith(RETRYABLE_PREFIXES)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def canonical_request(host: str, action: str, payload: bytes) -> str:
    headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action}\n".lower()
    body_hash = hashlib.sha256(payload).hexdigest()
    return f"POST\n/\n\n{headers}\n{SIGNED_HEADERS}\n{body_hash}"


def signature(secret_key: str, timestamp: int, host: str, action: str, payload: bytes) -> str:
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{SERVICE}/tc3_request"
    request_hash = hashlib.sha256(canonical_request(host, action, payload).encode()).hexdigest()
    to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{request_hash}"
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def authorization(
    secret_id: str, secret_key: str, timestamp: int, host: str, action: str, payload: bytes
) -> str:
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    return (
        f"{ALGORITHM} Credential={secret_id}/{date}/{SERVICE}/tc3_request, "
        f"SignedHeaders={SIGNED_HEADERS}, "
        f"Signature={signature(secret_key, timestamp, host, action, payload)}"
    )


class TencentSmsBackend(HttpSmsBackend):
    name = "tencent"
    settings_name = "SMS_TENCENT"

    def template_param_set(self, message) -> list[str]:
        """Tencent's TemplateParamSet: the values in the order `{1}`, `{2}` ... of the template,
        which is the order our placeholders first appear in the text."""
        return [str(message.params.get(name, "")) for name in message.template.placeholders()]

    def request_body(self, message) -> dict:
        return {
            "PhoneNumberSet": [f"+86{message.phone}"],
            "SmsSdkAppId": self.config.get("app_id", ""),
            "SignName": self.config.get("sign_name", ""),
            "TemplateId": self.template_id(message, "tencent_id"),
            "TemplateParamSet": self.template_param_set(message),
            "SessionContext": str(message.pk),
        }

    def submit(self, message) -> str:
        endpoint = self.config.get("endpoint") or DEFAULT_ENDPOINT
        host = urlsplit(endpoint).netloc
        payload = json.dumps(self.request_body(message), ensure_ascii=False).encode()
        timestamp = int(time.time())
        action = "SendSms"
        headers = {
            "Authorization": authorization(
                self.config.get("secret_id", ""),
                self.config.get("secret_key", ""),
                timestamp,
                host,
                action,
                payload,
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": API_VERSION,
            "X-TC-Region": self.config.get("region", "ap-guangzhou"),
        }
        reply = post(self.session, endpoint, timeout=self.timeout, data=payload, headers=headers)
        response = reply.data.get("Response", {}) if isinstance(reply.data, dict) else {}
        error = response.get("Error")
        if error:
            code = str(error.get("Code", ""))
            raise ProviderError(code, str(error.get("Message", "")), retryable=is_retryable(code))
        statuses = response.get("SendStatusSet") or [{}]
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code == "Ok" and status.get("SerialNo"):
            return str(status["SerialNo"])
        code = code or f"HTTP {reply.status}"
        raise ProviderError(code, str(status.get("Message", "")), retryable=is_retryable(code))
