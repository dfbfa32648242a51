"""The report conversation: WeChat messages in, one case through the intake service out.

A citizen sends a location, a description (text or voice) and optionally photos and a mobile
number, in any order; once location and description are there, the account shows a numbered
class menu and the reply to it files the case. Replies are the Chinese text sent back.
"""

import hashlib
import logging
import time
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from citygrid.cases.choices import Channel
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import CaseCategory
from citygrid.core.errors import ActionError
from citygrid.core.validators import InvalidIdentifier, mask_mobile, normalize_mobile
from citygrid.integrations.wechat import media
from citygrid.integrations.wechat.models import Conversation, ProcessedMessage
from citygrid.regions.geo.index import load_index
from citygrid.regions.geo.transforms import to_wgs84

log = logging.getLogger(__name__)

MAX_DESCRIPTION = 1000
CANCEL_WORDS = {"取消", "取消上报"}
# WeChat retries within seconds; a day of keys is plenty.
PROCESSED_KEEP = timedelta(days=1)

WELCOME = (
    "欢迎关注！发现市容环境、道路设施、街面秩序等城市管理问题，可直接在这里上报：\n"
    "1. 发送问题所在位置（点输入框旁的“+”→“位置”）；\n"
    "2. 用文字或语音描述问题；\n"
    "3. 可选：发送现场照片（最多{photos}张）、您的手机号码（用于查询进度）。\n"
    "以上顺序不限，请在{window}分钟内发完，然后按提示回复数字选择问题类别，即可获得案件编号。"
    "回复“取消”可放弃本次上报。"
)
UNSUPPORTED = "暂不支持此类消息。上报问题请发送位置、文字、语音或照片。"
OUTSIDE = "抱歉，该位置不在本市网格化管理范围内，请核对后重新发送问题所在位置。"
NO_RECOGNITION = "未能识别这段语音，请改用文字描述问题。"


def message_key(message) -> str:
    """MsgId for messages; WeChat recommends FromUserName + CreateTime for events."""
    if message.type != "event" and message.id:
        return str(message.id)
    raw = f"{message.source}|{message.time}|{getattr(message, 'event', '')}"
    return "e" + hashlib.sha256(raw.encode()).hexdigest()[:63]


def receive(message, *, now=None) -> str:
    """Answer one message exactly once: a retry of a handled message gets the stored reply."""
    now = now or timezone.now()
    key = message_key(message)
    with transaction.atomic():
        processed, created = ProcessedMessage.objects.get_or_create(key=key)
        if not created:
            return processed.reply
        reply = _dispatch(message, now)
        processed.reply = reply
        processed.save(update_fields=["reply"])
    ProcessedMessage.objects.filter(received_at__lt=now - PROCESSED_KEEP).delete()
    return reply


def _dispatch(message, now) -> str:
    if message.type == "event":
        if message.event == "subscribe":
            return WELCOME.format(
                photos=settings.WECHAT_MAX_PHOTOS, window=settings.WECHAT_REPORT_WINDOW_MINUTES
            )
        if message.event == "unsubscribe":
            Conversation.objects.filter(openid=message.source).delete()
        return ""
    handler = HANDLERS.get(message.type)
    if handler is None:
        return UNSUPPORTED
    return handler(_conversation(message, now), message, now)


def _conversation(message, now) -> Conversation:
    window = timedelta(minutes=settings.WECHAT_REPORT_WINDOW_MINUTES)
    conv = Conversation.objects.select_for_update().filter(openid=message.source).first()
    if conv is not None and conv.updated_at < now - window:
        conv.delete()
        conv = None
    if conv is None:
        conv = Conversation(openid=message.source, first_msg_id=str(message.id))
    conv.updated_at = now
    return conv


def on_text(conv: Conversation, message, now) -> str:
    text = (message.content or "").strip()
    if text in CANCEL_WORDS:
        if conv.pk:
            conv.delete()
        return "已取消本次上报。如需上报，请重新发送位置和问题描述。"
    if conv.awaiting_category and text.isdigit():
        return _choose(conv, int(text), now)
    try:
        conv.phone = normalize_mobile(text)
    except InvalidIdentifier:
        return _add_description(conv, text)
    conv.save()
    return f"已记录您的手机号码 {mask_mobile(conv.phone)}。" + _next_step(conv)


def on_voice(conv: Conversation, message, now) -> str:
    text = (message.recognition or "").strip()
    if not text:
        if conv.pk:
            conv.save()
        return NO_RECOGNITION
    return _add_description(conv, text, heard=True)


def on_image(conv: Conversation, message, now) -> str:
    if len(conv.photos) >= settings.WECHAT_MAX_PHOTOS:
        conv.save()
        return f"每次上报最多{settings.WECHAT_MAX_PHOTOS}张照片，这张未保存。" + _next_step(conv)
    conv.photos = [*conv.photos, {"url": message.image or "", "media_id": message.media_id or ""}]
    conv.save()
    return f"已收到照片（共{len(conv.photos)}张）。" + _next_step(conv)


def on_location(conv: Conversation, message, now) -> str:
    # WeChat positions are GCJ-02; Location_X is the latitude.
    try:
        lat, lng = float(message.location_x), float(message.location_y)
        wgs = to_wgs84(lng, lat, "gcj02")
    except (TypeError, ValueError):
        return "位置信息无法识别，请重新发送位置。"
    if load_index().locate(*wgs) is None:
        if conv.pk:
            conv.save()
        return OUTSIDE
    conv.lng, conv.lat = lng, lat
    conv.address = (message.label or "")[:200]
    conv.save()
    place = f"：{conv.address}" if conv.address else ""
    return f"已收到位置{place}。" + _next_step(conv)


HANDLERS = {"text": on_text, "voice": on_voice, "image": on_image, "location": on_location}


def _add_description(conv: Conversation, text: str, heard: bool = False) -> str:
    joined = f"{conv.description}\n{text}" if conv.description else text
    conv.description = joined[:MAX_DESCRIPTION]
    conv.save()
    ack = f"已收到语音描述：{text}。" if heard else "已收到问题描述。"
    return ack + _next_step(conv)


def _next_step(conv: Conversation) -> str:
    missing = []
    if conv.lng is None:
        missing.append("问题所在位置（点“+”→“位置”）")
    if not conv.description:
        missing.append("问题描述（文字或语音）")
    if missing:
        return "还需要发送：" + "、".join(missing) + "。"
    if not conv.awaiting_category:
        conv.awaiting_category = True
        conv.save(update_fields=["awaiting_category"])
    return "\n" + menu_text()


def menu() -> dict[int, CaseCategory]:
    """Number → class: the configured classes from 1, the default class as 0."""
    entries = {}
    reportable = CaseCategory.objects.reportable()
    for number, ref in enumerate(_refs(settings.WECHAT_CATEGORIES), start=1):
        category = reportable.filter(kind=ref[0], code=ref[1]).first()
        if category is not None:
            entries[number] = category
    default = _refs(settings.WECHAT_DEFAULT_CATEGORY)
    if default:
        category = reportable.filter(kind=default[0][0], code=default[0][1]).first()
        if category is not None:
            entries[0] = category
    return entries


def _refs(value: str) -> list[tuple[str, str]]:
    return [tuple(item.strip().split(":", 1)) for item in value.split(",") if ":" in item]


def menu_text() -> str:
    lines = [
        f"{n} {'其他' if n == 0 else c.name}" for n, c in sorted(menu().items(), key=_zero_last)
    ]
    photo_hint = "（如需补充照片或手机号码，请在选择类别前发送）"
    return "请回复数字选择问题类别" + photo_hint + "：\n" + "\n".join(lines)


def _zero_last(item) -> int:
    return item[0] if item[0] else 10_000


def _choose(conv: Conversation, number: int, now) -> str:
    category = menu().get(number)
    if category is None:
        conv.save()
        return "没有这个选项。\n" + menu_text()
    photos, failed = _download_photos(conv.photos)
    report = Report(
        category=category,
        description=conv.description,
        lng=conv.lng,
        lat=conv.lat,
        crs="gcj02",
        address=conv.address,
        channel=Channel.WECHAT,
        reporter_phone=conv.phone,
        photos=photos,
        idempotency_key=idempotency_key(conv),
    )
    try:
        try:
            case = report_case(report, now=now)
        except ActionError as exc:
            if exc.code != "invalid_photo":
                raise
            # A photo the intake refuses must not lose the report: file it without photos.
            failed += len(photos)
            report.photos = []
            case = report_case(report, now=now)
    except ActionError as exc:
        conv.save()
        if exc.code == "outside_grids":
            conv.lng = conv.lat = None
            conv.awaiting_category = False
            conv.save()
            return OUTSIDE
        return f"上报未成功：{exc.message}"
    phone_given = bool(conv.phone)
    conv.delete()
    log.info("wechat report filed as case %s", case.number)
    return _filed_reply(case, phone_given, failed)


def idempotency_key(conv: Conversation) -> str:
    raw = f"{conv.openid}|{conv.first_msg_id}"
    return "wechat-" + hashlib.sha256(raw.encode()).hexdigest()[:57]


def follow_url(case) -> str:
    return f"{settings.WECHAT_PORTAL_BASE_URL}/portal/follow/?" + urlencode({"number": case.number})


def _filed_reply(case, phone_given: bool, failed: int) -> str:
    lines = [f"上报成功！案件编号：{case.number}。"]
    lines.append(f"查询办理进度：{follow_url(case)}")
    if not phone_given:
        lines.append(
            "网页查询需验证上报时留下的手机号码，本次未留号码，请记下案件编号以便电话查询。"
        )
    if failed:
        lines.append(f"有{failed}张照片未能保存，案件已先行上报，处置人员会到现场核实。")
    return "\n".join(lines)


def _download_photos(items: list) -> tuple[list, int]:
    """Fetch within one shared time budget; whatever fails is counted, never raised."""
    deadline = time.monotonic() + settings.WECHAT_IMAGE_TIMEOUT
    photos, failed = [], 0
    for n, item in enumerate(items, start=1):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not item.get("url"):
            failed += 1
            continue
        try:
            body = media.download(item["url"], timeout=remaining)
        except media.DownloadError as exc:
            log.warning("wechat photo %s not downloaded: %s", n, exc)
            failed += 1
            continue
        photos.append(SimpleUploadedFile(f"wechat-{n}.jpg", body, content_type="image/jpeg"))
    return photos, failed
