from django.db import models


class DisputeState(models.TextChoices):
    """Where a dispute stands in the six steps (收集、分类、研判、交办、反馈、归档); each state
    names who acts next."""

    COLLECTED = "collected", "待研判"  # registered; the service centre classifies and assesses
    ASSESSED = "assessed", "待分流"  # assessed; the centre refers it to a handling body
    DISPATCHED = "dispatched", "待受理"  # the handling body accepts it or returns it
    MEDIATING = "mediating", "调解中"  # sessions held; ends with an outcome (反馈)
    REPORTED_BACK = "reported_back", "待核查"  # the outcome is checked level by level
    VERIFIED = "verified", "待归档"  # checked; the centre archives it with the satisfaction
    ARCHIVED = "archived", "已归档"  # read-only; follow-up visits may still be scheduled


OPEN_STATES = (
    DisputeState.COLLECTED,
    DisputeState.ASSESSED,
    DisputeState.DISPATCHED,
    DisputeState.MEDIATING,
    DisputeState.REPORTED_BACK,
    DisputeState.VERIFIED,
)

STATE_BADGE = {
    DisputeState.COLLECTED: "azure",
    DisputeState.ASSESSED: "blue",
    DisputeState.DISPATCHED: "indigo",
    DisputeState.MEDIATING: "purple",
    DisputeState.REPORTED_BACK: "orange",
    DisputeState.VERIFIED: "teal",
    DisputeState.ARCHIVED: "green",
}


class DisputeStep(models.TextChoices):
    """Steps with their own time limit (`DISPUTE_DEFAULT_LIMITS`; mediation's is the referral's
    deadline)."""

    ASSESS = "assess", "研判"
    DISPATCH = "dispatch", "分流"
    ACCEPT = "accept", "受理"
    MEDIATE = "mediate", "调解"
    VERIFY = "verify", "核查"
    ARCHIVE = "archive", "归档"


class DisputeLevel(models.TextChoices):
    ORDINARY = "ordinary", "一般"
    SIGNIFICANT = "significant", "较大"
    MAJOR = "major", "重大"


class IntakeSource(models.TextChoices):
    """Who registered the dispute (登记来源)."""

    GRID_WORKER = "grid_worker", "网格员"
    COMMUNITY = "community", "社区（村）"
    TOWNSHIP = "township", "街道（乡镇）"
    DEPARTMENT = "department", "部门"
    CENTRE = "centre", "综治中心"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "调解成功"
    UNRESOLVED = "unresolved", "调解不成"
    WITHDRAWN = "withdrawn", "撤回"


class Referral(models.TextChoices):
    """Where an unresolved dispute goes next."""

    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    PETITION = "petition", "信访"


class PartySide(models.TextChoices):
    APPLICANT = "applicant", "申请人"
    RESPONDENT = "respondent", "被申请人"


class PartyKind(models.TextChoices):
    PERSON = "person", "个人"
    ORGANISATION = "organisation", "组织"


class ReportKind(models.TextChoices):
    DAILY = "daily", "日报告"
    WEEKLY = "weekly", "周报告"


class ReportStatus(models.TextChoices):
    COMPILED = "compiled", "待上报"
    SUBMITTED = "submitted", "已上报"


# The levels that check a dispute's outcome, bottom up (信息核查: 社区 → 街道 → 区县).
VERIFYING_LEVELS = ("community", "township", "county")
