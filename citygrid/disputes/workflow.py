"""The dispute workflow's table on the cases engine (`cases/engine.py`): the six steps of
矛盾纠纷排查调处 (收集、分类、研判、交办、反馈、归档) as states, transitions, permissions, inputs
and who acts. Registered with the engine in `DisputesConfig.ready`, so the deadline sweep and
supervision orders serve disputes as they serve cases."""

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from citygrid.accounts.models import User
from citygrid.cases.engine import (
    DEPARTMENT,
    DISPATCHER,
    Guard,
    Input,
    Restriction,
    Transition,
    Workflow,
    department_members,
    permission_holders,
)
from citygrid.cases.models import Department
from citygrid.cases.workflow import LEVEL, NOTE, NOTE_REQUIRED, REQUIRED_BY, SATISFACTION
from citygrid.disputes.choices import OPEN_STATES, DisputeLevel, DisputeStep, Outcome, Referral
from citygrid.disputes.choices import DisputeState as S
from citygrid.disputes.errors import DisputeNotFound
from citygrid.disputes.models import CATEGORY_DICTIONARY, Dispute, DisputeEvent
from citygrid.disputes.statistics import rollup
from citygrid.regions.choices import ancestor_codes

# The level checking the outcome now: people whose territory is that level's region.
VERIFYING = "verifying"

CATEGORY = Input(
    "category",
    "纠纷类别",
    "dictionary",
    required=True,
    code="invalid_category",
    message="请选择纠纷类别",
    dictionary=CATEGORY_DICTIONARY,
    from_record=True,
)
DISPUTE_LEVEL = Input(
    "level",
    "纠纷等级",
    "choice",
    required=True,
    code="invalid_level",
    message="请选择纠纷等级",
    choices=tuple(DisputeLevel.choices),
    from_record=True,
)
RISKS = tuple(
    Input(name, label, "boolean", from_record=True)
    for name, label in (
        ("risk_petition", "可能越级上访"),
        ("risk_mass_incident", "可能引发群体性事件"),
        ("risk_criminal", "可能民转刑"),
    )
)
ASSESSMENT = replace(NOTE_REQUIRED, label="研判意见")
HANDLER = Input(
    "department",
    "承办单位",
    "department",
    required=True,
    code="department_required",
    message="请选择承办单位",
)
DUE_DATE = Input(
    "due_date",
    "办结时限",
    "date",
    required=True,
    code="invalid_due_date",
    message="请填写办结时限",
)
STARTS_AT = Input(
    "starts_at",
    "调解时间",
    "datetime",
    required=True,
    code="invalid_starts_at",
    message="请填写调解时间",
)
PLACE = Input(
    "place", "调解地点", "line", required=True, code="place_required", message="请填写调解地点"
)
MEDIATORS = Input(
    "mediators", "调解员", "line", required=True, code="mediators_required", message="请填写调解员"
)
MINUTES = Input(
    "minutes", "调解笔录", "text", required=True, code="minutes_required", message="请填写调解笔录"
)
OUTCOME = Input(
    "outcome",
    "调处结果",
    "choice",
    required=True,
    code="invalid_outcome",
    message="请选择调处结果",
    choices=tuple(Outcome.choices),
)
TERMS = Input(
    "terms",
    "协议内容（调解成功时必填）",
    "text",
    code="terms_required",
    message="调解成功须填写协议内容",
)
REFERRAL = Input(
    "referral",
    "后续途径（调解不成时必填）",
    "choice",
    code="referral_required",
    message="调解不成须选择后续途径",
    choices=(("", "---------"), *Referral.choices),
)
FOLLOW_UP_DAYS = Input(
    "days",
    "回访时间",
    "choice",
    required=True,
    code="invalid_days",
    message="请选择回访时间",
    choices=tuple((d, f"归档后 {d} 天") for d in settings.DISPUTE_FOLLOW_UP_DAYS),
)
PARTY_SATISFACTION = replace(SATISFACTION, label="当事人满意度")


def _top_verifier(dispute: Dispute) -> bool:
    return dispute.verifying_region_id is not None and dispute.verifying_region.level == "county"


LAST_LEVEL = Guard(
    lambda dispute, now: _top_verifier(dispute),
    "verification_pending",
    "还需上级核查",
    Q(verifying_region__level="county"),
)
LOWER_LEVEL = Guard(
    lambda dispute, now: dispute.verifying_region_id is not None and not _top_verifier(dispute),
    "verification_complete",
    "已到最高核查层级",
    Q(verifying_region__isnull=False) & ~Q(verifying_region__level="county"),
)
HAS_DEPARTMENT = Guard(
    lambda dispute, now: dispute.department_id is not None,
    "no_department",
    "纠纷尚未交办到承办单位，无法督办",
    Q(department__isnull=False),
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "assess",
        "分类研判",
        (S.COLLECTED,),
        S.ASSESSED,
        "assess_dispute",
        inputs=(CATEGORY, DISPUTE_LEVEL, *RISKS, ASSESSMENT),
        next_step=DisputeStep.DISPATCH,
    ),
    Transition(
        "dispatch",
        "分流交办",
        (S.ASSESSED,),
        S.DISPATCHED,
        "dispatch_dispute",
        inputs=(HANDLER, DUE_DATE, NOTE),
        next_step=DisputeStep.ACCEPT,
    ),
    Transition(
        "accept",
        "受理",
        (S.DISPATCHED,),
        S.MEDIATING,
        "mediate_dispute",
        actor=DEPARTMENT,
        inputs=(NOTE,),
        next_step=DisputeStep.MEDIATE,
    ),
    Transition(
        "return",
        "退回（非本单位职责）",
        (S.DISPATCHED,),
        S.ASSESSED,
        "mediate_dispute",
        actor=DEPARTMENT,
        inputs=(NOTE_REQUIRED,),
        next_step=DisputeStep.DISPATCH,
        style="warning",
    ),
    Transition(
        "schedule",
        "安排调解",
        (S.MEDIATING,),
        None,
        "mediate_dispute",
        actor=DEPARTMENT,
        inputs=(STARTS_AT, PLACE, MEDIATORS, NOTE),
        duty=False,
        style="secondary",
    ),
    Transition(
        "record_minutes",
        "记录调解笔录",
        (S.MEDIATING,),
        None,
        "mediate_dispute",
        actor=DEPARTMENT,
        inputs=(MINUTES,),
        duty=False,
        style="secondary",
    ),
    Transition(
        "conclude",
        "反馈调处结果",
        (S.MEDIATING,),
        S.REPORTED_BACK,
        "mediate_dispute",
        actor=DEPARTMENT,
        inputs=(OUTCOME, TERMS, REFERRAL, NOTE_REQUIRED),
        next_step=DisputeStep.VERIFY,
    ),
    Transition(
        "verify_pass",
        "核查通过（报上级核查）",
        (S.REPORTED_BACK,),
        None,
        "verify_dispute",
        actor=VERIFYING,
        inputs=(NOTE,),
        guards=(LOWER_LEVEL,),
        next_step=DisputeStep.VERIFY,
    ),
    Transition(
        "verify_final",
        "核查通过",
        (S.REPORTED_BACK,),
        S.VERIFIED,
        "verify_dispute",
        actor=VERIFYING,
        inputs=(NOTE,),
        guards=(LAST_LEVEL,),
        next_step=DisputeStep.ARCHIVE,
    ),
    Transition(
        "verify_fail",
        "核查未通过（重新调解）",
        (S.REPORTED_BACK,),
        S.MEDIATING,
        "verify_dispute",
        actor=VERIFYING,
        inputs=(NOTE_REQUIRED,),
        next_step=DisputeStep.MEDIATE,
        style="danger",
    ),
    Transition(
        "archive",
        "归档",
        (S.VERIFIED,),
        S.ARCHIVED,
        "archive_dispute",
        inputs=(PARTY_SATISFACTION, NOTE),
        next_step="",
    ),
    Transition(
        "follow_up",
        "安排回访",
        (S.ARCHIVED,),
        None,
        "archive_dispute",
        inputs=(FOLLOW_UP_DAYS, NOTE),
        duty=False,
        style="secondary",
    ),
    Transition(
        "supervise",
        "督办",
        OPEN_STATES,
        None,
        "supervise_dispute",
        inputs=(NOTE_REQUIRED, REQUIRED_BY, LEVEL),
        guards=(HAS_DEPARTMENT,),
        duty=False,
        style="danger",
    ),
)


def limits(dispute: Dispute) -> dict[str, tuple[Decimal, str] | datetime]:
    """Each step's limit: the settings' defaults, and mediation runs to the referral's
    deadline."""
    found: dict[str, tuple[Decimal, str] | datetime] = {
        step: (Decimal(str(amount)), unit)
        for step, (amount, unit) in settings.DISPUTE_DEFAULT_LIMITS.items()
    }
    if dispute.due_at is not None:
        found[DisputeStep.MEDIATE] = dispute.due_at
    return found


def handling_departments(dispute: Dispute, user):
    """Who a dispute may be referred to: active departments within the referrer's territory
    sitting at the dispute's place or above it (a county bureau, the township's 综治中心, the
    community's 调委会)."""
    codes = ancestor_codes(dispute.region_code, inclusive=True)
    if not user.is_superuser:
        codes = [code for code in codes if user.covers(code)]
    return Department.objects.filter(active=True, region_code__in=codes).order_by(
        "region_code", "code"
    )


def _verifiers(dispute: Dispute, transition: Transition) -> Iterable[User]:
    if dispute.verifying_region_id is None:
        return []
    return User.objects.filter(
        is_active=True,
        roles__permissions__content_type__app_label=Dispute._meta.app_label,
        roles__permissions__codename=transition.permission,
        scope_regions=dispute.verifying_region_id,
    ).distinct()


def _scope_region_ids(user) -> set[int]:
    """The regions of the user's territory, read once per request (a desk page checks many)."""
    ids = getattr(user, "_scope_region_ids", None)
    if ids is None:
        ids = user._scope_region_ids = set(user.scope_regions.values_list("pk", flat=True))
    return ids


VERIFYING_LEVEL = Restriction(
    lambda dispute, user, ids: dispute.verifying_region_id in _scope_region_ids(user),
    lambda user: Q(verifying_region__in=user.scope_regions.values("pk")),
    "not_verifying_level",
    "只有当前核查层级的人员可以核查",
)


DISPUTES = Workflow(
    "dispute",
    Dispute,
    TRANSITIONS,
    OPEN_STATES,
    event_model=DisputeEvent,
    subject_field="dispute",
    limits=limits,
    departments=handling_departments,
    not_found=DisputeNotFound,
    lock_related=("department", "region", "verifying_region"),
    # Statistics read a roll-up kept in each event's transaction (`docs/disputes-statistics.md`).
    on_event=rollup.count,
    actors={
        DISPATCHER: permission_holders,
        DEPARTMENT: department_members,
        VERIFYING: _verifiers,
    },
    restrictions={VERIFYING: VERIFYING_LEVEL},
)
BY_ACTION = DISPUTES.by_action
