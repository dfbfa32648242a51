"""The server address WeChat calls (服务器配置 URL): signature check, plain and safe modes.

Errors use HTTP statuses only: WeChat shows nothing to the citizen for them, and a non-2xx
answer makes it retry, which the MsgId dedup absorbs.

Replays: in plain mode the signature covers only timestamp and nonce, not the body, so both the
signed timestamp and the message's CreateTime must lie within `WECHAT_REPLAY_SECONDS` of now.
WeChat's own retries come within seconds and pass.
"""

import logging
import time

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from wechatpy import create_reply, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature

from citygrid.integrations.wechat.conversation import receive

log = logging.getLogger(__name__)

# WeChat's messages are a few hundred bytes; anything far larger is not from WeChat.
MAX_BODY = 64 * 1024


@csrf_exempt
@require_http_methods(["GET", "POST"])
def endpoint(request):
    if not settings.WECHAT_TOKEN:
        return HttpResponse("微信公众号未配置", status=503, content_type="text/plain")
    timestamp = request.GET.get("timestamp", "")
    nonce = request.GET.get("nonce", "")
    try:
        check_signature(settings.WECHAT_TOKEN, request.GET.get("signature", ""), timestamp, nonce)
    except InvalidSignatureException:
        return HttpResponseForbidden("invalid signature", content_type="text/plain")
    if request.method == "GET":
        return HttpResponse(request.GET.get("echostr", ""), content_type="text/plain")
    if not _fresh(timestamp):
        return HttpResponseForbidden("stale request", content_type="text/plain")
    if len(request.body) > MAX_BODY:
        return HttpResponseBadRequest("message too large", content_type="text/plain")

    crypto = None
    xml = request.body
    if request.GET.get("encrypt_type") == "aes":
        if not settings.WECHAT_AES_KEY:
            return HttpResponse("安全模式未配置", status=503, content_type="text/plain")
        crypto = WeChatCrypto(
            settings.WECHAT_TOKEN, settings.WECHAT_AES_KEY, settings.WECHAT_APP_ID
        )
        try:
            xml = crypto.decrypt_message(
                request.body, request.GET.get("msg_signature", ""), timestamp, nonce
            )
        except (InvalidSignatureException, InvalidAppIdException):
            return HttpResponseForbidden("invalid message signature", content_type="text/plain")
        except Exception:  # noqa: BLE001 - malformed XML or ciphertext from wechatpy/xmltodict
            return HttpResponseBadRequest("malformed message", content_type="text/plain")
    try:
        message = parse_message(xml)
    except Exception:  # noqa: BLE001 - wechatpy raises whatever its XML parser raises
        return HttpResponseBadRequest("malformed message", content_type="text/plain")
    if not _fresh(message.time):
        return HttpResponseForbidden("stale message", content_type="text/plain")

    text = receive(message)
    if not text:
        # "success" tells WeChat there is no reply (an empty body would do too).
        return HttpResponse("success", content_type="text/plain")
    reply = create_reply(text, message).render()
    if crypto is not None:
        reply = crypto.encrypt_message(reply, nonce, timestamp)
    return HttpResponse(reply, content_type="application/xml; charset=utf-8")


def _fresh(timestamp) -> bool:
    try:
        age = time.time() - int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs(age) <= settings.WECHAT_REPLAY_SECONDS
