"""What the portal does: take a citizen's report (or hold it), verify phones, rate closed cases,
and let staff release or discard held reports.

Every case is filed by `citygrid.cases.intake.report_case`; this module only decides whether a
report goes there now or waits for a person to look at it. A held report is never lost.
"""

import secrets
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from citygrid.cases import photos
from citygrid.cases.choices import CaseState, Channel
from citygrid.cases.intake import Report, locate, report_case
from citygrid.cases.models import Case, CaseCategory
from citygrid.cases.workflow import CASES
from citygrid.core import ratelimit, records
from citygrid.core.crypto import blind_index
from citygrid.core.errors import ActionError
from citygrid.core.validators import normalize_mobile
from citygrid.notify.models import SmsTemplate
from citygrid.notify.services import send_sms
from citygrid.portal.models import (
    BlockedIp,
    BlockedPhone,
    CitizenRating,
    HeldReport,
    HeldReportPhoto,
    VerificationCode,
)

CODE_TEMPLATE = "verify_code"
CODE_TEMPLATE_TEXT = "您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。"


class CitizenActor:
    """The anonymous citizen as the actor of a case event: named on the timeline, no account."""

    is_authenticated = False

    def __str__(self) -> str:
        return "群众"


CITIZEN = CitizenActor()


# --- reports --------------------------------------------------------------------------------


def _hit(kind: str, value: str) -> int:
    """Count one report against `value` in the current window and return the new count."""
    return ratelimit.hit(f"portal:{kind}", value, settings.PORTAL_RATE_WINDOW_SECONDS)


def _hold_reason(phone: str, ip: str) -> str:
    if phone and BlockedPhone.objects.filter(phone_index=blind_index(phone)).exists():
        return HeldReport.Reason.BLOCKED_PHONE
    if ip and BlockedIp.objects.filter(ip=ip).exists():
        return HeldReport.Reason.BLOCKED_IP
    over_phone = phone and _hit("phone", phone) > settings.PORTAL_REPORTS_PER_PHONE
    over_ip = ip and _hit("ip", ip) > settings.PORTAL_REPORTS_PER_IP
    if over_phone:
        return HeldReport.Reason.RATE_PHONE
    if over_ip:
        return HeldReport.Reason.RATE_IP
    return ""


def find_submitted(key: str) -> Case | HeldReport | None:
    """What an earlier submit with this idempotency key became, if anything."""
    return (
        Case.objects.filter(idempotency_key=key).first()
        or HeldReport.objects.filter(idempotency_key=key).first()
    )


def submit_report(report: Report, *, ip: str = "", now=None) -> Case | HeldReport:
    """File a citizen's report as a case, or hold it for review when the phone or address is
    blocked or over its rate limit. A repeated submit returns what the first one made."""
    report = replace(report, channel=Channel.PORTAL)
    if report.idempotency_key:
        earlier = find_submitted(report.idempotency_key)
        if earlier is not None:
            return earlier
    phone = ""
    if report.reporter_phone:
        try:
            phone = normalize_mobile(report.reporter_phone)
        except ValueError as exc:
            raise ActionError("invalid_phone", "上报人手机号码格式不正确", 400) from exc
    reason = _hold_reason(phone, ip)
    if not reason:
        return report_case(report, actor=None, now=now)
    return hold_report(report, reason=reason, ip=ip, now=now)


def hold_report(report: Report, *, reason: str, ip: str = "", now=None) -> HeldReport:
    # Checked as filing would check it: the citizen hears at once what to fix, and a held
    # report can later be released as it is.
    category = report.category
    if category is None or not CaseCategory.objects.reportable().filter(pk=category.pk).exists():
        raise ActionError("invalid_category", "请选择有效的事部件小类", 400)
    located = locate(report)
    lng, lat, phone, grid = located.lng, located.lat, located.phone, located.grid
    cleaned = photos.validate_photos(report.photos)
    with transaction.atomic():
        held = HeldReport.objects.create(
            reason=reason,
            category=report.category,
            description=report.description.strip(),
            address=report.address.strip(),
            lng=lng,
            lat=lat,
            reporter_name=report.reporter_name.strip(),
            reporter_phone=phone,
            anonymous=report.anonymous,
            ip=ip or None,
            idempotency_key=report.idempotency_key or secrets.token_hex(16),
            region_code=grid.code,
            created=now or timezone.now(),
        )
        for photo in cleaned:
            photo.seek(0)
            item = HeldReportPhoto(report=held)
            item.image.save(photo.name, photo, save=False)
            item.save()
    return held


def _lock_held(held_id: int, actor) -> HeldReport:
    held = (
        HeldReport.objects.restrict(actor, "change").select_for_update().filter(pk=held_id).first()
    )
    if held is None:
        raise ActionError("not_found", "该上报不存在或不在您的管辖范围内", 404)
    if held.status != HeldReport.Status.PENDING:
        raise ActionError("already_reviewed", f"该上报已{held.get_status_display()}")
    return held


def release_held_report(held: HeldReport, *, actor, now=None) -> Case:
    """File the held report as the citizen's case (through the intake), once.

    `held` is only a handle: the row is re-read, locked and scope-checked by pk."""
    now = now or timezone.now()
    with transaction.atomic():
        held = _lock_held(held.pk, actor)
        files = [item.image for item in held.photos.all()]
        for image in files:
            image.open("rb")
        report = Report(
            category=held.category,
            description=held.description,
            lng=held.lng,
            lat=held.lat,
            address=held.address,
            channel=Channel.PORTAL,
            reporter_name=held.reporter_name,
            reporter_phone=held.reporter_phone,
            photos=files,
            idempotency_key=held.idempotency_key,
            anonymous=held.anonymous,
        )
        try:
            # The citizen reported, not the reviewer: the case carries no staff reporter.
            case = report_case(report, actor=None, now=now)
        finally:
            for image in files:
                image.close()
        held.status = HeldReport.Status.RELEASED
        held.case = case
        held.reviewed_by = actor
        held.reviewed_at = now
        held.save(update_fields=["status", "case", "reviewed_by", "reviewed_at"])
    return case


def discard_held_report(held: HeldReport, *, actor, note: str, now=None) -> HeldReport:
    note = (note or "").strip()
    if not note:
        raise ActionError("note_required", "请填写丢弃原因", 400)
    with transaction.atomic():
        held = _lock_held(held.pk, actor)
        held.status = HeldReport.Status.DISCARDED
        held.review_note = note[:200]
        held.reviewed_by = actor
        held.reviewed_at = now or timezone.now()
        held.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    return held


# --- phone verification ---------------------------------------------------------------------


def _code_hash(phone_index: str, code: str) -> str:
    return salted_hmac("citygrid.portal.code", f"{phone_index}:{code}").hexdigest()


def _code_template() -> None:
    # Seeded by notify's migration; recreated here (by the system) if an administrator
    # deleted it.
    if not SmsTemplate.objects.filter(code=CODE_TEMPLATE).exists():
        template = SmsTemplate(code=CODE_TEMPLATE, name="验证码", text=CODE_TEMPLATE_TEXT)
        records.save_record(template, actor=None)


def send_code(phone: str, *, now=None) -> VerificationCode | None:
    """Text a fresh 6-digit code to `phone`; None when one was sent within the resend interval.

    Raises ValueError for a malformed number."""
    number = normalize_mobile(phone)
    index = blind_index(number)
    now = now or timezone.now()
    wait = settings.PORTAL_CODE_RESEND_SECONDS
    if VerificationCode.objects.filter(
        phone_index=index, created__gt=now - timedelta(seconds=wait)
    ).exists():
        return None
    code = f"{secrets.randbelow(1_000_000):06d}"
    ttl = settings.PORTAL_CODE_TTL_SECONDS
    _code_template()
    with transaction.atomic():
        record = VerificationCode.objects.create(
            phone_index=index,
            code_hash=_code_hash(index, code),
            created=now,
            expires_at=now + timedelta(seconds=ttl),
        )
        send_sms(
            number,
            CODE_TEMPLATE,
            {"code": code, "minutes": max(ttl // 60, 1)},
            secret_params=("code",),
        )
    return record


def check_code(phone: str, code: str, *, now=None) -> None:
    """Accept the latest code sent to `phone` once, or raise ActionError saying why not."""
    try:
        index = blind_index(normalize_mobile(phone))
    except ValueError as exc:
        raise ActionError("invalid_phone", "手机号码格式不正确", 400) from exc
    now = now or timezone.now()
    with transaction.atomic():
        record = (
            VerificationCode.objects.select_for_update()
            .filter(phone_index=index, used_at__isnull=True)
            .order_by("-created", "-id")
            .first()
        )
        if record is None:
            raise ActionError("no_code", "请先获取短信验证码", 400)
        if now >= record.expires_at:
            raise ActionError("code_expired", "验证码已过期，请重新获取", 400)
        limit = settings.PORTAL_CODE_MAX_ATTEMPTS
        if record.attempts >= limit:
            raise ActionError("too_many_attempts", "验证码错误次数过多，请重新获取", 400)
        matches = constant_time_compare(record.code_hash, _code_hash(index, (code or "").strip()))
        if matches:
            record.used_at = now
            record.save(update_fields=["used_at"])
            return
        # Counted before raising: the error must not roll the attempt back.
        record.attempts += 1
        record.save(update_fields=["attempts"])
    left = limit - record.attempts
    if left <= 0:
        raise ActionError("too_many_attempts", "验证码错误次数过多，请重新获取", 400)
    raise ActionError("wrong_code", f"验证码不正确，还可尝试 {left} 次", 400)


def find_case(number: str, phone: str) -> Case | None:
    """The case with this number reported with this phone, else None (the same for both)."""
    try:
        index = blind_index(normalize_mobile(phone))
    except ValueError:
        return None
    return Case.objects.filter(number=(number or "").strip(), reporter_phone_index=index).first()


# --- session grants -------------------------------------------------------------------------

GRANT_KEY = "portal_cases"


def grant(session, case: Case) -> None:
    ids = set(session.get(GRANT_KEY, []))
    ids.add(case.pk)
    session[GRANT_KEY] = sorted(ids)


def granted(session, case_id: int) -> bool:
    return case_id in session.get(GRANT_KEY, [])


# --- rating ---------------------------------------------------------------------------------


def rate_case(case: Case, *, satisfaction: int, comment: str = "", now=None) -> CitizenRating:
    """The reporting citizen rates a closed case, once. Written as the case's `evaluate` event
    (actor 群众) unless staff recorded an evaluation already, so indicators count it.

    `case` is only a handle: the row is re-read and locked by pk."""
    if satisfaction not in (1, 2, 3, 4, 5):
        raise ActionError("invalid_satisfaction", "满意度应为 1 至 5 分", 400)
    comment = (comment or "").strip()[:500]
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case.pk).first()
        if case is None:
            raise ActionError("not_found", "事件不存在", 404)
        if case.state != CaseState.CLOSED:
            raise ActionError("not_closed", "事件办结后才能评价")
        if CitizenRating.objects.filter(case=case).exists():
            raise ActionError("already_rated", "您已评价过该事件")
        rating = CitizenRating.objects.create(case=case, satisfaction=satisfaction, comment=comment)
        if case.satisfaction is None:
            case.satisfaction = satisfaction
            records.save_record(case, actor=None, update_fields=["satisfaction"])
            CASES.record_event(
                case,
                "evaluate",
                actor=CITIZEN,
                time=now,
                from_state=case.state,
                note=comment,
                satisfaction=satisfaction,
                source="citizen",
            )
    return rating
