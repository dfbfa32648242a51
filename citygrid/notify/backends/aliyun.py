"""Aliyun SMS (dysmsapi `SendSms`, version 2017-05-25), RPC style, signature version 1.0.

The request is a form POST, so the phone number travels in the body, never in a URL. The
signature follows Aliyun's RPC signing: every parameter but `Signature`, sorted by name, each
name and value percent-encoded (RFC 3986: only `A-Z a-z 0-9 - _ . ~` left as is, space as %20),
joined with `&` into the canonicalized query string; the string to sign is
`POST&%2F&` + percent-encode(that string); the signature is Base64(HMAC-SHA1(secret + "&", it)).

Delivery receipts arrive by Aliyun's "HTTP batch push" (SmsReport) at `receipts.aliyun_receipt`.
"""

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

from citygrid.notify.backends.http import HttpSmsBackend, ProviderError, post

API_VERSION = "2017-05-25"
DEFAULT_ENDPOINT = "https://dysmsapi.aliyuncs.com/"

# Codes worth another try after a pause: per-number/account flow control and Aliyun's own faults.
# Everything else (isv.MOBILE_NUMBER_ILLEGAL, isv.SMS_TEMPLATE_ILLEGAL, isv.SMS_SIGNATURE_ILLEGAL,
# SignatureDoesNotMatch, isv.DAY_LIMIT_CONTROL, isv.AMOUNT_NOT_ENOUGH ...) fails the same way again.
RETRYABLE_CODES = {"isv.BUSINESS_LIMIT_CONTROL", "isp.SYSTEM_ERROR", "ServiceUnavailable"}
RETRYABLE_PREFIXES = ("Throttling", "InternalError")


def percent_encode(value: str) -> str:
    return quote(str(value), safe="~")


def string_to_sign(method: str, params: dict) -> str:
    canonical = "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}"
        for key in sorted(params)
        if key != "Signature"
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def sign(secret: str, method: str, params: dict) -> str:
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()


def is_retryable(code: str) -> bool:
    return code in RETRYABLE_CODES or code.startswith(RETRYABLE_PREFIXES)


class AliyunSmsBackend(HttpSmsBackend):
    name = "aliyun"
    settings_name = "SMS_ALIYUN"

    def template_param(self, message) -> str:
        """Aliyun's TemplateParam: a JSON object of the template's variables, values as strings."""
        names = message.template.placeholders()
        return json.dumps(
            {name: str(message.params.get(name, "")) for name in names},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def request_params(self, message) -> dict:
        params = {
            "AccessKeyId": self.config.get("access_key_id", ""),
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": str(message.pk),
            "PhoneNumbers": message.phone,
            "RegionId": self.config.get("region", "cn-hangzhou"),
            "SignName": self.config.get("sign_name", ""),
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self.template_id(message, "aliyun_code"),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
        }
        if message.template.placeholders():
            params["TemplateParam"] = self.template_param(message)
        params["Signature"] = sign(self.config.get("access_key_secret", ""), "POST", params)
        return params

    def submit(self, message) -> str:
        reply = post(
            self.session,
            self.config.get("endpoint") or DEFAULT_ENDPOINT,
            timeout=self.timeout,
            data=self.request_params(message),
        )
        data = reply.data if isinstance(reply.data, dict) else {}
        code = str(data.get("Code", ""))
        if code == "OK" and data.get("BizId"):
            return str(data["BizId"])
        code = code or f"HTTP {reply.status}"
        raise ProviderError(code, str(data.get("Message", "")), retryable=is_retryable(code))
