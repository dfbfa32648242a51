"""Local stand-ins for the Aliyun and Tencent Cloud SMS gateways (127.0.0.1, a free port).

Each recomputes the request signature from what it received, written from the providers'
documentation independently of our backends (so a shared mistake cannot pass), and answers a
wrong one exactly as the provider does. `script` lists what to answer to successive valid
requests ("OK" or a provider error code; "HTTP 503" for a gateway fault; "SLOW" to exceed the
client's timeout); when it runs out, every request succeeds. `requests` keeps what arrived.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def rfc3986(value: str) -> str:
    """Aliyun's POP encoding: UTF-8 bytes, unreserved kept, every other byte as %XY (upper)."""
    return "".join(
        chr(byte) if byte in UNRESERVED else f"%{byte:02X}" for byte in value.encode("utf-8")
    )


class FakeGateway:
    def __init__(self, handler_factory):
        self.script: list[str] = []
        self.requests: list[dict] = []
        self.slow_seconds = 1.0
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_factory(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/"

    def next_outcome(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "OK"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    gateway: FakeGateway

    def log_message(self, *args) -> None:  # keep test output (and phone numbers) quiet
        pass

    def reply(self, status: int, data: dict) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def scripted(self) -> str | None:
        """Plays transport faults; returns the provider-level outcome to answer with."""
        outcome = self.gateway.next_outcome()
        if outcome == "SLOW":
            time.sleep(self.gateway.slow_seconds)
            return "OK"
        if outcome.startswith("HTTP "):
            status = int(outcome.split()[1])
            body = b"<html>Service Unavailable</html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        return outcome


def aliyun_gateway(access_key_id: str, secret: str) -> FakeGateway:
    """dysmsapi: RPC signature 1.0 (HMAC-SHA1) over the sorted, encoded parameters."""
    nonces: set[str] = set()

    def factory(gateway):
        class Handler(_Handler):
            def do_POST(self):
                body = self.read_body().decode()
                params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                params.update(parse_qsl(body, keep_blank_values=True))
                request_id = str(uuid.uuid4()).upper()
                sent = params.pop("Signature", "")
                canonical = "&".join(
                    rfc3986(k) + "=" + rfc3986(v) for k, v in sorted(params.items())
                )
                string_to_sign = "POST&" + rfc3986("/") + "&" + rfc3986(canonical)
                expected = base64.b64encode(
                    hmac.new((secret + "&").encode(), string_to_sign.encode(), "sha1").digest()
                ).decode()
                with gateway.lock:
                    gateway.requests.append({"path": self.path, "params": params})
                if params.get("AccessKeyId") != access_key_id:
                    return self.reply(
                        404,
                        {
                            "RequestId": request_id,
                            "Code": "InvalidAccessKeyId.NotFound",
                            "Message": "Specified access key is not found.",
                        },
                    )
                if not hmac.compare_digest(sent, expected):
                    return self.reply(
                        400,
                        {
                            "RequestId": request_id,
                            "Code": "SignatureDoesNotMatch",
                            "Message": "Specified signature is not matched with our calculation."
                            f" server string to sign is:{string_to_sign}",
                        },
                    )
                nonce = params.get("SignatureNonce", "")
                if not nonce or nonce in nonces:
                    return self.reply(
                        400,
                        {
                            "RequestId": request_id,
                            "Code": "SignatureNonceUsed",
                            "Message": "Specified signature nonce was used already.",
                        },
                    )
                nonces.add(nonce)
                assert params["SignatureMethod"] == "HMAC-SHA1"
                assert params["SignatureVersion"] == "1.0"
                assert params["Version"] == "2017-05-25"
                assert params["Action"] == "SendSms"
                datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
                outcome = self.scripted()
                if outcome is None:
                    return None
                if outcome == "OK":
                    return self.reply(
                        200,
                        {
                            "Code": "OK",
                            "Message": "OK",
                            "BizId": f"{900000 + len(gateway.requests)}^0",
                            "RequestId": request_id,
                        },
                    )
                # Aliyun echoes the number in some messages: our row must not keep it in clear.
                return self.reply(
                    200,
                    {
                        "Code": outcome,
                        "Message": f"{params.get('PhoneNumbers', '')} {outcome}",
                        "RequestId": request_id,
                    },
                )

        Handler.gateway = gateway
        return Handler

    return FakeGateway(factory)


def tencent_gateway(secret_id: str, secret_key: str) -> FakeGateway:
    """sms.tencentcloudapi.com: API 3.0, TC3-HMAC-SHA256 over the canonical request."""

    def sha256_hex(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def hmac256(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    def factory(gateway):
        class Handler(_Handler):
            def error(self, code: str, message: str) -> None:
                # API 3.0 answers every error with HTTP 200 and Response.Error.
                self.reply(
                    200,
                    {
                        "Response": {
                            "Error": {"Code": code, "Message": message},
                            "RequestId": str(uuid.uuid4()),
                        }
                    },
                )

            def do_POST(self):
                payload = self.read_body()
                with gateway.lock:
                    gateway.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": payload}
                    )
                auth = self.headers.get("Authorization", "")
                algorithm, _, rest = auth.partition(" ")
                fields = dict(part.strip().split("=", 1) for part in rest.split(","))
                credential = fields.get("Credential", "").split("/")
                if algorithm != "TC3-HMAC-SHA256" or len(credential) != 4:
                    return self.error("AuthFailure.InvalidAuthorization", "bad Authorization")
                if credential[0] != secret_id:
                    return self.error("AuthFailure.SecretIdNotFound", "secret id not found")
                timestamp = int(self.headers.get("X-TC-Timestamp", "0"))
                if abs(time.time() - timestamp) > 300:
                    return self.error("AuthFailure.SignatureExpire", "signature expired")
                date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
                if credential[1:] != [date, "sms", "tc3_request"]:
                    return self.error("AuthFailure.InvalidAuthorization", "bad credential scope")
                signed = fields.get("SignedHeaders", "")
                names = signed.split(";")
                if "content-type" not in names or "host" not in names:
                    return self.error("AuthFailure.InvalidAuthorization", "headers not signed")
                canonical_headers = "".join(
                    f"{name}:{self.headers.get(name, '').strip().lower()}\n" for name in names
                )
                query = urlsplit(self.path).query
                canonical_request = "\n".join(
                    ["POST", "/", query, canonical_headers, signed, sha256_hex(payload)]
                )
                string_to_sign = "\n".join(
                    [
                        "TC3-HMAC-SHA256",
                        str(timestamp),
                        f"{date}/sms/tc3_request",
                        sha256_hex(canonical_request.encode("utf-8")),
                    ]
                )
                key = hmac256(
                    hmac256(hmac256(("TC3" + secret_key).encode("utf-8"), date), "sms"),
                    "tc3_request",
                )
                expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256)
                if not hmac.compare_digest(fields.get("Signature", ""), expected.hexdigest()):
                    return self.error(
                        "AuthFailure.SignatureFailure",
                        "The provided credentials could not be validated. "
                        "Please check your signature is correct.",
                    )
                assert self.headers["X-TC-Action"] == "SendSms"
                assert self.headers["X-TC-Version"] == "2021-01-11"
                assert self.headers["X-TC-Region"]
                body = json.loads(payload)
                outcome = self.scripted()
                if outcome is None:
                    return None
                if outcome in {"RequestLimitExceeded", "InternalError"}:
                    return self.error(outcome, "try later")
                number = body["PhoneNumberSet"][0]
                status = {
                    "SerialNo": f"2433:{1000 + len(gateway.requests)}",
                    "PhoneNumber": number,
                    "Fee": 1,
                    "SessionContext": body.get("SessionContext", ""),
                    "Code": "Ok" if outcome == "OK" else outcome,
                    "Message": "send success" if outcome == "OK" else f"{number} {outcome}",
                    "IsoCode": "CN",
                }
                return self.reply(
                    200,
                    {"Response": {"SendStatusSet": [status], "RequestId": str(uuid.uuid4())}},
                )

        Handler.gateway = gateway
        return Handler

    return FakeGateway(factory)
