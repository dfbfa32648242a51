"""Every state change of a dispute, one function per transition (STYLE: `verb_noun(dispute, *,
actor)`), each on the engine's one path (`DISPUTES.run`): lock and re-read, scope (else 404),
guard and required inputs, change, exactly one `DisputeEvent`, notices after the commit. A
refused action raises `ActionError` and changes nothing."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from citygrid.cases import supervision
from citygrid.cases.calendar import current_calendar
from citygrid.cases.choices import SupervisionLevel
from citygrid.cases.models import Department
from citygrid.cases.notifications import is_muted
from citygrid.core import dictionaries, records
from citygrid.core.errors import ActionError
from citygrid.disputes import notifications, urgent
from citygrid.disputes.choices import VERIFYING_LEVELS, Outcome, PartySide, Referral
from citygrid.disputes.models import (
    CATEGORY_DICTIONARY,
    Dispute,
    FollowUp,
    MediationAgreement,
    MediationSession,
)
from citygrid.disputes.workflow import BY_ACTION, DISPUTES, handling_departments
from citygrid.regions.models import Region

# The referral's deadline is the end of the working day it names.
END_OF_DAY = time(18, 0)


def available_actions(dispute: Dispute, user):
    return DISPUTES.available(dispute, user)


def _notify(dispute: Dispute, event) -> None:
    if not is_muted():
        transaction.on_commit(lambda: notifications.after_event(dispute.pk, event.pk))


def _run(action, dispute, actor, note="", apply=None, *, now=None, **given) -> Dispute:
    return DISPUTES.run(action, dispute, actor, note, apply, now=now, given=given, after=_notify)


def _choice(action: str, name: str, value):
    spec = BY_ACTION[action].input(name)
    if value not in spec.values:
        raise spec.refusal()
    return value


def assess_dispute(
    dispute: Dispute,
    *,
    actor,
    category: str,
    level: str,
    note: str,
    risk_petition: bool = False,
    risk_mass_incident: bool = False,
    risk_criminal: bool = False,
    now=None,
) -> Dispute:
    """分类、研判: the category, level and risks decide who handles it and whether it goes up
    at once."""
    if not dictionaries.exists(CATEGORY_DICTIONARY, category or ""):
        raise BY_ACTION["assess"].input("category").refusal("纠纷类别无效")
    _choice("assess", "level", level)

    def apply(dispute, now):
        dispute.category, dispute.level = category, level
        dispute.risk_petition = bool(risk_petition)
        dispute.risk_mass_incident = bool(risk_mass_incident)
        dispute.risk_criminal = bool(risk_criminal)
        dispute.assessment = note
        return {"category": category, "level": level, "risks": dispute.risk_labels()}

    with transaction.atomic():
        dispute = _run("assess", dispute, actor, note, apply, now=now)
        urgent.report_if_urgent(dispute, now or timezone.now())
    return dispute


def due_at(day: date) -> datetime:
    """The end of the working day `day`; a holiday or rest day is refused."""
    if not current_calendar().is_workday(day):
        raise (
            BY_ACTION["dispatch"]
            .input("due_date")
            .refusal(f"{day:%Y-%m-%d} 不是工作日（节假日或休息日），请选择工作日作为办结时限")
        )
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


def dispatch_dispute(
    dispute: Dispute, *, actor, department: Department, due_date: date, note: str = "", now=None
) -> Dispute:
    """分流交办: to a department or a lower level's body, with a deadline on a working day."""

    def apply(dispute, now):
        deadline = due_at(due_date)
        if deadline <= now:
            raise BY_ACTION["dispatch"].input("due_date").refusal("办结时限必须晚于当前时间")
        if not handling_departments(dispute, actor).filter(pk=department.pk).exists():
            raise ActionError(
                "department_out_of_reach",
                f"“{department}”不在您的管辖范围内或不负责该纠纷所在区域",
                400,
            )
        dispute.department, dispute.due_at = department, deadline
        return {"department_id": department.pk, "due_at": deadline.isoformat()}

    return _run("dispatch", dispute, actor, note, apply, now=now, department=department)


def accept_dispute(dispute: Dispute, *, actor, note: str = "", now=None) -> Dispute:
    return _run("accept", dispute, actor, note, now=now)


def return_dispute(dispute: Dispute, *, actor, note: str, now=None) -> Dispute:
    def apply(dispute, now):
        returned_by = dispute.department_id
        dispute.department, dispute.due_at = None, None
        return {"returned_by_department_id": returned_by}

    return _run("return", dispute, actor, note, apply, now=now)


def schedule_mediation(
    dispute: Dispute,
    *,
    actor,
    starts_at: datetime,
    place: str,
    mediators: str,
    note: str = "",
    now=None,
) -> Dispute:
    """调解调度: a session; the parties with a mobile number are told by SMS."""
    created = []

    def apply(dispute, now):
        if starts_at <= now:
            raise BY_ACTION["schedule"].input("starts_at").refusal("调解时间必须晚于当前时间")
        session = MediationSession(
            dispute=dispute,
            starts_at=starts_at,
            place=place.strip(),
            mediators=mediators.strip(),
            scheduled_by=actor,
        )
        records.save_record(session, actor=actor)
        created.append(session)
        return {"session_id": session.pk, "starts_at": starts_at.isoformat(), "place": place}

    dispute = _run(
        "schedule", dispute, actor, note, apply, now=now, place=place, mediators=mediators
    )
    if not is_muted():
        transaction.on_commit(lambda: notifications.tell_parties(created[0].pk))
    return dispute


def record_minutes(dispute: Dispute, *, actor, minutes: str, now=None) -> Dispute:
    """The minutes of the latest session that has begun."""

    def apply(dispute, now):
        session = dispute.sessions.filter(starts_at__lte=now).order_by("-starts_at").first()
        if session is None:
            raise ActionError("no_session", "还没有已开始的调解，无法记录笔录", 400)
        session.minutes = minutes.strip()
        records.save_record(session, actor=actor, update_fields=["minutes"])
        return {"session_id": session.pk}

    return _run("record_minutes", dispute, actor, "", apply, now=now, minutes=minutes)


def _verifying_region(dispute: Dispute, above: str | None = None) -> Region | None:
    """The region of the next verifying level (community → township → county) on the
    dispute's path, starting above the level `above`."""
    levels = list(VERIFYING_LEVELS)
    if above is not None:
        levels = levels[levels.index(above) + 1 :]
    regions = {
        r.level: r
        for r in Region.objects.filter(
            code__in=[dispute.region_code[:n] for n in range(2, len(dispute.region_code) + 1)]
        )
    }
    return next((regions[level] for level in levels if level in regions), None)


def conclude_dispute(
    dispute: Dispute,
    *,
    actor,
    outcome: str,
    note: str,
    terms: str = "",
    referral: str = "",
    now=None,
) -> Dispute:
    """反馈: the outcome. An agreement needs parties on both sides and its terms; its 调解协议书
    is a PDF generated when first opened (`agreements.document`)."""
    _choice("conclude", "outcome", outcome)
    terms = (terms or "").strip()

    def apply(dispute, now):
        if outcome == Outcome.RESOLVED:
            if not terms:
                raise BY_ACTION["conclude"].input("terms").refusal()
            sides = set(dispute.parties.values_list("side", flat=True))
            if not {PartySide.APPLICANT, PartySide.RESPONDENT} <= sides:
                raise ActionError(
                    "agreement_without_parties",
                    "调解协议须有申请人和被申请人，请先登记双方当事人",
                    400,
                )
        if outcome == Outcome.UNRESOLVED and referral not in Referral.values:
            raise BY_ACTION["conclude"].input("referral").refusal()
        dispute.outcome = outcome
        dispute.referral = referral if outcome == Outcome.UNRESOLVED else ""
        dispute.concluded_at = now
        dispute.verifying_region = _verifying_region(dispute)
        if dispute.verifying_region is None:
            raise ActionError("no_verifying_level", "纠纷所在区域没有可核查的上级层级", 400)
        if outcome == Outcome.RESOLVED:
            agreement = getattr(dispute, "agreement", None) or MediationAgreement(dispute=dispute)
            # New terms: the PDF is rendered afresh when first opened (`agreements.document`).
            agreement.terms, agreement.document = terms, None
            records.save_record(agreement, actor=actor)
        return {"outcome": outcome, "referral": dispute.referral}

    return _run("conclude", dispute, actor, note, apply, now=now, outcome=outcome)


def verify_dispute(dispute: Dispute, *, actor, passed: bool, note: str = "", now=None) -> Dispute:
    """信息核查, level by level: a pass at a lower level hands it to the next level up."""
    if not passed:

        def reject(dispute, now):
            level = dispute.verifying_region.level
            dispute.verifying_region = None
            dispute.outcome = dispute.referral = ""
            dispute.concluded_at = None
            return {"level": level}

        return _run("verify_fail", dispute, actor, note, reject, now=now)

    def apply(dispute, now):
        level = dispute.verifying_region.level
        final = level == VERIFYING_LEVELS[-1]
        dispute.verifying_region = None if final else _verifying_region(dispute, above=level)
        return {"level": level}

    # Which of the two passes is the table's guards' answer on the locked row: a stale guess
    # here is refused there (`verification_pending` / `verification_complete`).
    current = Dispute.objects.filter(pk=dispute.pk).select_related("verifying_region").first()
    final = (
        current is not None
        and current.verifying_region_id is not None
        and (current.verifying_region.level == VERIFYING_LEVELS[-1])
    )
    return _run("verify_final" if final else "verify_pass", dispute, actor, note, apply, now=now)


def archive_dispute(dispute: Dispute, *, actor, satisfaction: int, note: str = "", now=None):
    """归档 with the parties' satisfaction: read-only afterwards, but for follow-ups."""
    _choice("archive", "satisfaction", satisfaction)

    def apply(dispute, now):
        dispute.satisfaction, dispute.archived_at = satisfaction, now
        return {"satisfaction": satisfaction}

    return _run("archive", dispute, actor, note, apply, now=now)


def schedule_follow_up(dispute: Dispute, *, actor, days: int, note: str = "", now=None):
    """A return visit `days` after the archive."""
    _choice("follow_up", "days", days)

    def apply(dispute, now):
        due = timezone.localdate(dispute.archived_at) + timedelta(days=days)
        if dispute.follow_ups.filter(due_date=due).exists():
            raise ActionError("follow_up_exists", f"已安排 {due:%Y-%m-%d} 的回访", 400)
        visit = FollowUp(dispute=dispute, due_date=due, assignee=actor, result="")
        records.save_record(visit, actor=actor)
        return {"follow_up_id": visit.pk, "due_date": due.isoformat()}

    return _run("follow_up", dispute, actor, note, apply, now=now)


def supervise_dispute(
    dispute: Dispute,
    *,
    actor,
    note: str,
    required_by: datetime,
    level: int = SupervisionLevel.GENERAL,
    now=None,
) -> Dispute:
    """调解督办: the same 督办单 as cases, answered by the handling body."""

    def apply(dispute, now):
        return supervision.issue_order(
            dispute,
            BY_ACTION["supervise"],
            actor=actor,
            note=note,
            required_by=required_by,
            level=level,
            now=now,
        )

    return _run("supervise", dispute, actor, note, apply, now=now)


RUNNERS: dict[str, Callable[..., Dispute]] = {
    "assess": assess_dispute,
    "dispatch": dispatch_dispute,
    "accept": accept_dispute,
    "return": return_dispute,
    "schedule": schedule_mediation,
    "record_minutes": record_minutes,
    "conclude": conclude_dispute,
    "verify_pass": partial(verify_dispute, passed=True),
    "verify_final": partial(verify_dispute, passed=True),
    "verify_fail": partial(verify_dispute, passed=False),
    "archive": archive_dispute,
    "follow_up": schedule_follow_up,
    "supervise": supervise_dispute,
}


def perform(action: str, dispute: Dispute, *, actor, inputs: dict) -> Dispute:
    """Run `action` with the inputs a form supplied (the transition's declared ones)."""
    transition = DISPUTES.get(action)
    return RUNNERS[action](dispute, actor=actor, **DISPUTES.arguments(transition, inputs))


# --- parties learned later ------------------------------------------------------------------


def add_party(dispute: Dispute, *, actor, party, now=None) -> Dispute:
    """A party who comes forward after registration (a second respondent, the landlord behind a
    tenant): by the centre (`change_dispute`) or the handling body, on an open dispute only. The
    event records the side, never the name."""
    from citygrid.disputes.intake import party_record

    now = now or timezone.now()
    with transaction.atomic():
        dispute = DISPUTES.lock(dispute.pk, actor)
        handler = actor.has_perm("disputes.mediate_dispute") and (
            actor.is_superuser or dispute.department_id in DISPUTES.department_ids(actor)
        )
        if not (actor.has_perm("disputes.change_dispute") or handler):
            raise ActionError("permission_denied", "您没有登记当事人的权限", 403)
        if not dispute.is_open:
            raise ActionError("invalid_transition", "纠纷已归档，不能再登记当事人")
        if not party.name.strip():
            raise ActionError("name_required", "请填写当事人姓名或名称", 400)
        try:
            records.save_record(party_record(dispute, party), actor=actor)
        except ValidationError as exc:
            raise ActionError("invalid", "；".join(exc.messages), 400) from exc
        DISPUTES.record_event(
            dispute, "party_added", actor=actor, time=now, from_state=dispute.state, side=party.side
        )
    return dispute


# --- the signed agreement ---------------------------------------------------------------------

SIGNED_COPY_MAX_BYTES = 10 * 1024 * 1024


def _check_signed_copy(upload) -> None:
    """A PDF or a photo of the signed paper, at most 10 MB: the bytes decide, not the name."""
    if upload.size > SIGNED_COPY_MAX_BYTES:
        raise ActionError("invalid_file", "文件不能超过 10 MB", 400)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError) as exc:
        raise ActionError("invalid_file", "请上传 PDF 文件或图片", 400) from exc
    finally:
        upload.seek(0)


def attach_signed_copy(dispute: Dispute, *, actor, upload, now=None) -> Dispute:
    """The signed and sealed agreement, uploaded by the handling body after a resolved
    mediation (also after the archive: the paper often comes back later)."""
    now = now or timezone.now()
    with transaction.atomic():
        dispute = DISPUTES.lock(dispute.pk, actor)
        if not actor.has_perm("disputes.mediate_dispute"):
            raise ActionError("permission_denied", "您没有上传调解协议书的权限", 403)
        if not actor.is_superuser and dispute.department_id not in DISPUTES.department_ids(actor):
            raise ActionError("not_in_department", "只有承办单位的人员可以上传协议书", 403)
        agreement = MediationAgreement.objects.filter(dispute=dispute).first()
        if agreement is None:
            raise ActionError("no_agreement", "该纠纷没有调解协议书", 400)
        _check_signed_copy(upload)
        agreement.signed_copy.save(upload.name, upload, save=False)
        agreement.signed_at = now
        records.save_record(agreement, actor=actor, update_fields=["signed_copy", "signed_at"])
        DISPUTES.record_event(
            dispute, "agreement_signed", actor=actor, time=now, from_state=dispute.state
        )
    return dispute
