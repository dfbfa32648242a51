"""The case workflow's table on the engine (`cases/engine.py`): states, transitions,
permissions, inputs and who acts, as data."""

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from citygrid.accounts.models import User
from citygrid.cases import clock, rollup
from citygrid.cases.choices import OPEN_STATES, Step, SupervisionLevel, TaskKind, TaskStatus
from citygrid.cases.choices import CaseState as S
from citygrid.cases.engine import (
    DEPARTMENT,
    DISPATCHER,
    VERIFIER,
    Guard,
    Input,
    Transition,
    Workflow,
    department_members,
    permission_holders,
    register,
)
from citygrid.cases.errors import CaseNotFound
from citygrid.cases.models import Case, CaseEvent
from citygrid.cases.routing import LEVELS, next_level

# --- the case workflow ------------------------------------------------------------------------

NOTE = Input("note", "意见", "text", code="note_required", message="“{action}”需要填写意见")
NOTE_REQUIRED = replace(NOTE, required=True)
PHOTOS = Input("photos", "照片", "photos", code="photo_required", message="“{action}”需要上传照片")
DEPARTMENT_INPUT = Input("department", "派遣部门", "department")
HOURS = Input(
    "hours",
    "延期时长（工作时）",
    "decimal",
    required=True,
    code="invalid_hours",
    message="请填写延期时长（工作时）",
    min_value=Decimal("0.5"),
    max_value=Decimal("720"),
)
SATISFACTION = Input(
    "satisfaction",
    "满意度",
    "choice",
    required=True,
    code="invalid_satisfaction",
    message="满意度应为 1 至 5 分",
    choices=(
        (5, "5 非常满意"),
        (4, "4 满意"),
        (3, "3 基本满意"),
        (2, "2 不满意"),
        (1, "1 非常不满意"),
    ),
)
INTO = Input(
    "into",
    "合并至事件编号",
    "case",
    required=True,
    code="merge_target_invalid",
    message="请指定合并到的事件",
)
REQUIRED_BY = Input(
    "required_by",
    "要求完成时间",
    "datetime",
    required=True,
    code="invalid_required_by",
    message="请填写要求完成时间",
)
LEVEL = Input(
    "level",
    "督办级别",
    "choice",
    code="invalid_level",
    message="督办级别无效",
    choices=tuple(SupervisionLevel.choices),
    initial=SupervisionLevel.GENERAL,
)


def _within_reopen_window(case: Case, now: datetime) -> bool:
    window = timedelta(days=settings.CASE_REOPEN_DAYS)
    return case.closed_at is not None and now <= case.closed_at + window


EXTENSION_PENDING = Guard(
    lambda case, now: case.extension_hours is not None,
    "no_extension_pending",
    "没有待审批的延期申请",
    Q(extension_hours__isnull=False),
)
NO_EXTENSION_PENDING = Guard(
    lambda case, now: case.extension_hours is None,
    "extension_pending",
    "已有延期申请待审批",
    Q(extension_hours__isnull=True),
)
NOT_EVALUATED = Guard(
    lambda case, now: case.satisfaction is None,
    "already_evaluated",
    "该事件已评价",
    Q(satisfaction__isnull=True),
)
REOPEN_WINDOW = Guard(
    _within_reopen_window,
    "reopen_window_passed",
    lambda: f"结案超过 {settings.CASE_REOPEN_DAYS} 天，不能重新办理",
)
BELOW_TOP_LEVEL = Guard(
    lambda case, now: next_level(case.level) is not None,
    "top_level",
    "已是最高层级，不能再上报",
    ~Q(level=LEVELS[-1]),
)
HAS_DEPARTMENT = Guard(
    lambda case, now: case.department_id is not None,
    "no_department",
    "事件尚未派遣到部门，无法督办",
    Q(department__isnull=False),
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "register",
        "受理立案",
        (S.REPORTED,),
        S.REGISTERED,
        "register_case",
        inputs=(NOTE,),
        next_step=Step.DISPATCH,
    ),
    Transition(
        "reject",
        "不予立案",
        (S.REPORTED,),
        S.REJECTED,
        "register_case",
        inputs=(NOTE_REQUIRED,),
        next_step="",
        style="danger",
    ),
    Transition(
        "dispatch",
        "派遣",
        (S.REGISTERED,),
        S.DISPATCHED,
        "dispatch_case",
        inputs=(NOTE, DEPARTMENT_INPUT),
        next_step=Step.ACCEPT,
    ),
    Transition(
        "accept",
        "签收",
        (S.DISPATCHED,),
        S.HANDLING,
        "handle_case",
        actor=DEPARTMENT,
        inputs=(NOTE,),
        next_step=Step.HANDLE,
    ),
    Transition(
        "return",
        "退回（非本部门职责）",
        (S.DISPATCHED, S.HANDLING),
        S.REGISTERED,
        "handle_case",
        actor=DEPARTMENT,
        inputs=(NOTE_REQUIRED,),
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "report_back",
        "处置反馈",
        (S.HANDLING,),
        S.REPORTED_BACK,
        "handle_case",
        actor=DEPARTMENT,
        inputs=(NOTE_REQUIRED, replace(PHOTOS, label="处置后照片", required=True)),
        next_step=Step.VERIFY,
    ),
    Transition(
        "request_extension",
        "申请延期",
        (S.HANDLING,),
        None,
        "handle_case",
        actor=DEPARTMENT,
        inputs=(NOTE_REQUIRED, HOURS),
        guards=(NO_EXTENSION_PENDING,),
        style="secondary",
    ),
    Transition(
        "approve_extension",
        "批准延期",
        (S.HANDLING,),
        None,
        "approve_extension_case",
        inputs=(NOTE,),
        guards=(EXTENSION_PENDING,),
    ),
    Transition(
        "deny_extension",
        "驳回延期",
        (S.HANDLING,),
        None,
        "approve_extension_case",
        inputs=(NOTE_REQUIRED,),
        guards=(EXTENSION_PENDING,),
        style="warning",
    ),
    Transition(
        "verify_pass",
        "核查通过",
        (S.REPORTED_BACK,),
        S.VERIFIED,
        "verify_case",
        actor=VERIFIER,
        inputs=(NOTE, PHOTOS),
        next_step=Step.CLOSE,
    ),
    Transition(
        "verify_fail",
        "核查未通过（返工）",
        (S.REPORTED_BACK,),
        S.HANDLING,
        "verify_case",
        actor=VERIFIER,
        inputs=(NOTE_REQUIRED, PHOTOS),
        next_step=Step.HANDLE,
        style="danger",
    ),
    Transition(
        "close",
        "结案",
        (S.VERIFIED,),
        S.CLOSED,
        "close_case",
        inputs=(NOTE,),
        next_step="",
    ),
    Transition(
        "evaluate",
        "评价",
        (S.CLOSED,),
        None,
        "evaluate_case",
        inputs=(NOTE, SATISFACTION),
        guards=(NOT_EVALUATED,),
        style="secondary",
    ),
    Transition(
        "reopen",
        "重新办理",
        (S.CLOSED,),
        S.REGISTERED,
        "register_case",
        inputs=(NOTE_REQUIRED,),
        guards=(REOPEN_WINDOW,),
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "suspend",
        "挂账",
        (S.REGISTERED, S.DISPATCHED, S.HANDLING),
        S.SUSPENDED,
        "suspend_case",
        inputs=(NOTE_REQUIRED,),
        duty=False,
        style="secondary",
    ),
    Transition("resume", "恢复办理", (S.SUSPENDED,), None, "suspend_case", inputs=(NOTE,)),
    Transition(
        "escalate",
        "上报上级",
        (S.REPORTED, S.REGISTERED, S.DISPATCHED, S.HANDLING),
        S.REGISTERED,
        "escalate_case",
        inputs=(NOTE_REQUIRED,),
        guards=(BELOW_TOP_LEVEL,),
        duty=False,
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "merge",
        "合并为重复",
        (S.REPORTED, S.REGISTERED),
        S.MERGED,
        "merge_case",
        inputs=(NOTE, INTO),
        duty=False,
        next_step="",
        style="secondary",
    ),
    Transition(
        "supervise",
        "督办",
        OPEN_STATES,
        None,
        "supervise_case",
        inputs=(NOTE_REQUIRED, REQUIRED_BY, LEVEL),
        guards=(HAS_DEPARTMENT,),
        duty=False,
        style="danger",
    ),
)


def _verifiers(case: Case, transition: Transition) -> Iterable[User]:
    tasks = case.tasks.filter(kind=TaskKind.VERIFICATION, status=TaskStatus.OPEN)
    return [t.assignee for t in tasks.select_related("assignee") if t.assignee]


CASES = register(
    Workflow(
        "case",
        Case,
        TRANSITIONS,
        OPEN_STATES,
        event_model=CaseEvent,
        subject_field="case",
        limits=clock.limits_for,
        not_found=CaseNotFound,
        # The grid comes along because saving a scoped record reads its code.
        lock_related=("department", "category", "region"),
        on_event=rollup.count,
        actors={
            DISPATCHER: permission_holders,
            DEPARTMENT: department_members,
            VERIFIER: _verifiers,
        },
    )
)
BY_ACTION = CASES.by_action
