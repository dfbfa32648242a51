"""The transition table: which action moves a case from which states to which, who may take it,
and what it must carry. Data, not code paths: the desk shows exactly the actions this table
allows the current user now, and `actions.py` refuses everything else.
"""

from dataclasses import dataclass

from citygrid.cases.choices import CaseState as S
from citygrid.cases.choices import Step


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (or is computed, e.g. resume)
    permission: str  # codename in the "cases" app
    needs_note: bool = False
    needs_photo: bool = False
    department_only: bool = False  # only members of the case's department
    next_step: str | None = None  # the step whose clock starts; "" stops the clock
    style: str = "primary"


OPEN = (
    S.REPORTED,
    S.REGISTERED,
    S.DISPATCHED,
    S.HANDLING,
    S.REPORTED_BACK,
    S.VERIFIED,
    S.SUSPENDED,
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "register",
        "受理立案",
        (S.REPORTED,),
        S.REGISTERED,
        "register_case",
        next_step=Step.DISPATCH,
    ),
    Transition(
        "reject",
        "不予立案",
        (S.REPORTED,),
        S.REJECTED,
        "register_case",
        needs_note=True,
        next_step="",
        style="danger",
    ),
    Transition(
        "dispatch", "派遣", (S.REGISTERED,), S.DISPATCHED, "dispatch_case", next_step=Step.ACCEPT
    ),
    Transition(
        "accept",
        "签收",
        (S.DISPATCHED,),
        S.HANDLING,
        "handle_case",
        department_only=True,
        next_step=Step.HANDLE,
    ),
    Transition(
        "return",
        "退回（非本部门职责）",
        (S.DISPATCHED, S.HANDLING),
        S.REGISTERED,
        "handle_case",
        needs_note=True,
        department_only=True,
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "report_back",
        "处置反馈",
        (S.HANDLING,),
        S.REPORTED_BACK,
        "handle_case",
        needs_note=True,
        needs_photo=True,
        department_only=True,
        next_step=Step.VERIFY,
    ),
    Transition(
        "request_extension",
        "申请延期",
        (S.HANDLING,),
        None,
        "handle_case",
        needs_note=True,
        department_only=True,
        style="secondary",
    ),
    Transition("approve_extension", "批准延期", (S.HANDLING,), None, "approve_extension_case"),
    Transition(
        "deny_extension",
        "驳回延期",
        (S.HANDLING,),
        None,
        "approve_extension_case",
        needs_note=True,
        style="warning",
    ),
    Transition(
        "verify_pass",
        "核查通过",
        (S.REPORTED_BACK,),
        S.VERIFIED,
        "verify_case",
        next_step=Step.CLOSE,
    ),
    Transition(
        "verify_fail",
        "核查未通过（返工）",
        (S.REPORTED_BACK,),
        S.HANDLING,
        "verify_case",
        needs_note=True,
        next_step=Step.HANDLE,
        style="danger",
    ),
    Transition("close", "结案", (S.VERIFIED,), S.CLOSED, "close_case", next_step=""),
    Transition("evaluate", "评价", (S.CLOSED,), None, "evaluate_case", style="secondary"),
    Transition(
        "reopen",
        "重新办理",
        (S.CLOSED,),
        S.REGISTERED,
        "register_case",
        needs_note=True,
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "suspend",
        "挂账",
        (S.REGISTERED, S.DISPATCHED, S.HANDLING),
        S.SUSPENDED,
        "suspend_case",
        needs_note=True,
        style="secondary",
    ),
    Transition("resume", "恢复办理", (S.SUSPENDED,), None, "suspend_case"),
    Transition(
        "escalate",
        "上报上级",
        (S.REPORTED, S.REGISTERED, S.DISPATCHED, S.HANDLING),
        S.REGISTERED,
        "escalate_case",
        needs_note=True,
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "merge",
        "合并为重复",
        (S.REPORTED, S.REGISTERED),
        S.MERGED,
        "merge_case",
        next_step="",
        style="secondary",
    ),
    Transition("supervise", "督办", OPEN, None, "supervise_case", needs_note=True, style="danger"),
)

BY_ACTION = {t.action: t for t in TRANSITIONS}
