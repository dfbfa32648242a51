"""Delivery receipts pushed by the SMS providers: each report marks its outbox row delivered or
failed.

Both providers POST a JSON array of reports to a URL configured in their console (Aliyun: 回执消息
→ HTTP 批量推送, `SmsReport`; Tencent: 回调配置 → 短信下发状态回调) and expect their own answer
format. Neither signs the push, so the URL carries a secret token (`SMS_RECEIPT_TOKEN`); a wrong
or unset token answers 404 exactly like an unknown path. Reports match a row by the provider's
message id (Aliyun `biz_id` = `BizId`, Tencent `sid` = `SerialNo`) and touch only rows that
provider sent and still await a receipt, so a repeated push changes nothing. Reports carry the
phone number in clear: it is never logged.
"""

import hmac
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from citygrid.notify.choices import SmsStatus
from citygrid.notify.models import SmsMessage

logger = logging.getLogger(__name__)


def _check_token(token: str) -> None:
    expected = settings.SMS_RECEIPT_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404


def _reports(request) -> list[dict] | None:
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        return None
    return data


def apply_receipt(backend: str, provider_message_id: str, delivered: bool, error: str) -> int:
    """Mark the row `backend` sent as `provider_message_id`; returns how many rows changed."""
    if not provider_message_id:
        return 0
    changes = {"status": SmsStatus.DELIVERED if delivered else SmsStatus.FAILED}
    if not delivered:
        changes["error"] = error[:500]
    return SmsMessage.objects.filter(
        backend=backend, provider_message_id=provider_message_id, status=SmsStatus.SENT
    ).update(**changes)


def _receive(request, token: str, backend: str, read: Callable, ok: dict, bad: dict):
    _check_token(token)
    reports = _reports(request)
    if reports is None:
        return JsonResponse(bad, status=400, json_dumps_params={"ensure_ascii": False})
    updated = 0
    for report in reports:
        updated += apply_receipt(backend, *read(report))
    logger.info("SMS receipts from %s: %s reports, %s rows updated", backend, len(reports), updated)
    return JsonResponse(ok, json_dumps_params={"ensure_ascii": False})


def _read_aliyun(report: dict) -> tuple[str, bool, str]:
    # {"biz_id", "success": true/false, "err_code": "DELIVERED" | carrier code, "err_msg", ...}
    code = str(report.get("err_code", ""))
    message = str(report.get("err_msg", ""))
    return (
        str(report.get("biz_id", "")),
        report.get("success") is True,
        f"{code}：{message}" if message else code,
    )


def _read_tencent(report: dict) -> tuple[str, bool, str]:
    # {"sid", "report_status": "SUCCESS" | "FAIL", "errmsg": "DELIVRD" | carrier code,
    #  "description", ...}
    code = str(report.get("errmsg", ""))
    message = str(report.get("description", ""))
    return (
        str(report.get("sid", "")),
        report.get("report_status") == "SUCCESS",
        f"{code}：{message}" if message else code,
    )


@csrf_exempt
@require_POST
def aliyun_receipt(request, token: str):
    return _receive(
        request,
        token,
        "aliyun",
        _read_aliyun,
        ok={"code": 0, "msg": "接收成功"},
        bad={"code": 1, "msg": "状态报告格式错误"},
    )


@csrf_exempt
@require_POST
def tencent_receipt(request, token: str):
    return _receive(
        request,
        token,
        "tencent",
        _read_tencent,
        ok={"result": 0, "errmsg": "OK"},
        bad={"result": 1, "errmsg": "状态报告格式错误"},
    )
