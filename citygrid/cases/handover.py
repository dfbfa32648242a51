"""Who acts next on a case, and by when — in words, for the person who just acted.

Read from the transition table (`Workflow.duties`: the duties the case's state and columns
allow, and each duty's actor), so the sentence after an action names the same people the
deadline sweep will remind; it is never restated per action.
"""

from django.utils.timezone import localtime

from citygrid.cases.choices import CaseState
from citygrid.cases.engine import DEPARTMENT, DISPATCHER, VERIFIER
from citygrid.cases.models import Case
from citygrid.cases.workflow import CASES

ENDED = {
    CaseState.CLOSED: "事件已结案，可进行评价",
    CaseState.REJECTED: "事件不予立案，流程结束",
    CaseState.MERGED: "事件已合并，流程结束",
    CaseState.SUSPENDED: "事件已挂账，计时暂停，恢复办理前无人需要处理",
}


def _holder(case: Case, actor: str) -> str:
    if actor == DEPARTMENT:
        return str(case.department) if case.department_id else "责任部门"
    if actor == VERIFIER:
        names = [str(user) for user in CASES.actors[VERIFIER](case, CASES.get("verify_pass"))]
        return f"核查人员 {'、'.join(names)}" if names else "网格监督员"
    if actor == DISPATCHER:
        return "指挥中心"
    return actor


def next_holders(case: Case) -> list[str]:
    """Who must act on `case` now, one entry per kind of actor, in the table's order."""
    holders = []
    for transition in CASES.duties(case):
        holder = _holder(case, transition.actor)
        if holder not in holders:
            holders.append(holder)
    return holders


def next_step_text(case: Case) -> str:
    """ "下一步由 城管执法局 签收，时限 2026-03-02 17:00" — or why nobody has to act."""
    if case.state in ENDED:
        return ENDED[case.state]
    holders = next_holders(case)
    if not holders:
        return "当前无人需要处理"
    text = f"下一步由 {' 或 '.join(holders)} {case.get_step_display() or '办理'}"
    if case.step_deadline:
        text += f"，时限 {localtime(case.step_deadline):%Y-%m-%d %H:%M}"
    return text


def done_text(action: str, label: str, case: Case) -> str:
    """The flash message after `action` succeeded on `case` (the fresh instance)."""
    done = f"已执行“{label}”：{case.number}"
    if action == "dispatch" and case.department_id:
        done += f"，已派遣至 {case.department}"
    return f"{done}。{next_step_text(case)}。"
