from django.db import models


class CaseKind(models.TextChoices):
    EVENT = "event", "事件"
    COMPONENT = "component", "部件问题"


class CaseState(models.TextChoices):
    """Where a case stands; each state names who must act next."""

    REPORTED = "reported", "待受理"  # the centre must accept (register) or reject it
    REGISTERED = "registered", "待派遣"  # filed; the dispatcher must send it to a department
    DISPATCHED = "dispatched", "待签收"  # the department must accept or return it
    HANDLING = "handling", "处置中"  # the department is working on it
    REPORTED_BACK = "reported_back", "待核查"  # handled; an inspector must check on site
    VERIFIED = "verified", "待结案"  # the check passed; the centre closes it
    CLOSED = "closed", "已结案"  # done; may be evaluated, reopened within the window
    SUSPENDED = "suspended", "挂账"  # clock stopped until resumed
    REJECTED = "rejected", "不予立案"  # not a case (terminal)
    MERGED = "merged", "已合并"  # a duplicate folded into another case (terminal)


OPEN_STATES = (
    CaseState.REPORTED,
    CaseState.REGISTERED,
    CaseState.DISPATCHED,
    CaseState.HANDLING,
    CaseState.REPORTED_BACK,
    CaseState.VERIFIED,
    CaseState.SUSPENDED,
)

STATE_BADGE = {
    CaseState.REPORTED: "azure",
    CaseState.REGISTERED: "blue",
    CaseState.DISPATCHED: "indigo",
    CaseState.HANDLING: "purple",
    CaseState.REPORTED_BACK: "orange",
    CaseState.VERIFIED: "teal",
    CaseState.CLOSED: "green",
    CaseState.SUSPENDED: "secondary",
    CaseState.REJECTED: "dark",
    CaseState.MERGED: "dark",
}


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Channel(models.TextChoices):
    """Where a report came from. `web` is staff registering it on the desk (a call, a walk-in);
    a citizen's own report on the portal is `portal`."""

    GRID_APP = "grid_app", "网格员上报"
    INSPECTOR = "inspector", "监督员上报"
    WEB = "web", "平台登记"
    PORTAL = "portal", "群众上报"
    HOTLINE = "hotline", "热线电话"
    WECHAT = "wechat", "微信"
    OPEN311 = "open311", "Open311"
    VIDEO = "video", "视频发现"


class Step(models.TextChoices):
    """Steps that have their own time limit."""

    REGISTER = "register", "受理立案"
    DISPATCH = "dispatch", "派遣"
    ACCEPT = "accept", "签收"
    HANDLE = "handle", "处置"
    VERIFY = "verify", "核查"
    CLOSE = "close", "结案"


class TimeUnit(models.TextChoices):
    WORKING_HOURS = "working_hours", "工作时"
    CALENDAR_HOURS = "calendar_hours", "自然时"
    WORKING_DAYS = "working_days", "工作日"


class Lateness(models.TextChoices):
    ON_TIME = "on_time", "正常"
    WARNING = "warning", "预警"
    OVERDUE = "overdue", "超期"


class SupervisionLevel(models.IntegerChoices):
    GENERAL = 1, "一般督办"
    KEY = 2, "重点督办"
    SPECIAL = 3, "专项督办"


class SupervisionStatus(models.TextChoices):
    OPEN = "open", "待回复"
    ANSWERED = "answered", "已回复"
    CLOSED = "closed", "已办结"
    ESCALATED = "escalated", "已升级"


class TaskKind(models.TextChoices):
    PATROL = "patrol", "巡查任务"
    VERIFICATION = "verification", "核查任务"


class TaskStatus(models.TextChoices):
    OPEN = "open", "待执行"
    DONE = "done", "已完成"
    CANCELLED = "cancelled", "已取消"


class VerificationOutcome(models.TextChoices):
    """The grid worker's answer to a 核查任务 about a person or a house."""

    CONFIRMED = "confirmed", "核实无误"
    INCORRECT = "incorrect", "信息有误"
