"""Every state change of a case, one function per transition (STYLE: `verb_noun(case, *, actor)`).

Each runs in a transaction: lock the row, check the actor's scope (else 404) and permission,
the transition table's guard and required inputs, change the case, write exactly one
`CaseEvent`, save through the one write path (`core.records`), and queue notifications for
after the commit. A refused action raises `ActionError` and changes nothing.

The case passed in is only a handle: its row is re-read by pk, locked and scope-checked, and the
function returns that fresh instance; the handle's in-memory state is never trusted.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import transaction

from citygrid.cases import clock, notifications, photos, supervision
from citygrid.cases.choices import CaseState, SupervisionLevel, TaskKind, TaskStatus
from citygrid.cases.models import Case, CaseAttachment, Department, Task
from citygrid.cases.routing import (
    dispatch_departments,
    next_level,
    responsible_department,
    verifier_for,
)
from citygrid.cases.workflow import BY_ACTION, CASES, Transition
from citygrid.core import records
from citygrid.core.errors import ActionError

# --- guards ---------------------------------------------------------------------------------


def guard(
    transition: Transition,
    case: Case,
    user,
    now: datetime | None = None,
    department_ids: set[int] | None = None,
) -> None:
    """Raise if `user` may not take `transition` on `case` now (inputs are checked apart): the
    table's states, permission, department and guards (`workflow.Workflow.guard`).

    `department_ids` (the user's departments) may be passed when checking many cases."""
    CASES.guard(transition, case, user, now, department_ids)


def available_actions(case: Case, user, department_ids: set[int] | None = None) -> list[Transition]:
    """The transitions this user may take on this case now — what the case page offers."""
    return CASES.available(case, user, department_ids)


# --- the common path ------------------------------------------------------------------------


def _run(
    action: str,
    handle: Case,
    actor,
    note: str,
    apply: Callable[[Case, datetime], dict] | None = None,
    *,
    uploads=(),
    photo_stage: str = CaseAttachment.Stage.AFTER,
    now: datetime | None = None,
) -> Case:
    """The engine's one path (`Workflow.run`), with the case's photos: checked after the
    guard, stored with the action's event."""
    cleaned = []

    def change(case, now):
        cleaned.extend(photos.validate_photos(uploads))
        return apply(case, now) if apply else {}

    def store(case, event):
        if cleaned:
            photos.attach(case, event, cleaned, photo_stage, actor)
        if not notifications.is_muted():
            transaction.on_commit(lambda: notifications.after_event(case.pk, event.pk))

    return CASES.run(
        action, handle, actor, note, change, now=now, given={"photos": uploads}, after=store
    )


# --- the transitions ------------------------------------------------------------------------


def register_case(case: Case, *, actor, note: str = "", now=None) -> Case:
    return _run("register", case, actor, note, now=now)


def reject_case(case: Case, *, actor, note: str, now=None) -> Case:
    return _run("reject", case, actor, note, now=now)


def dispatch_case(
    case: Case, *, actor, department: Department | None = None, note: str = "", now=None
) -> Case:
    def apply(case, now):
        suggested = responsible_department(case)
        target = department or suggested
        if target is None:
            raise ActionError(
                "department_required", "未配置该类事件的责任部门，请选择派遣部门", 400
            )
        if not target.active:
            raise ActionError("department_inactive", f"部门“{target}”已停用", 400)
        if not dispatch_departments(case, actor).filter(pk=target.pk).exists():
            raise ActionError("department_out_of_reach", f"部门“{target}”不负责该事件所在区域", 400)
        case.department = target
        return {
            "department_id": target.pk,
            "matrix_department_id": suggested.pk if suggested else None,
        }

    return _run("dispatch", case, actor, note, apply, now=now)


def accept_case(case: Case, *, actor, note: str = "", now=None) -> Case:
    return _run("accept", case, actor, note, now=now)


def return_case(case: Case, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        returned_by = case.department_id
        case.department = None
        case.extension_hours = None
        return {"returned_by_department_id": returned_by}

    return _run("return", case, actor, note, apply, now=now)


def report_back_case(case: Case, *, actor, note: str, photos=(), now=None) -> Case:
    def apply(case, now):
        case.extension_hours = None
        return {}

    # One transaction, so the task exists when the after-commit notice looks for its assignee.
    with transaction.atomic():
        case = _run("report_back", case, actor, note, apply, uploads=photos, now=now)
        _create_verification_task(case, actor)
    return case


def _create_verification_task(case: Case, actor) -> None:
    task = Task(
        kind=TaskKind.VERIFICATION,
        title=f"核查事件 {case.number}",
        region=case.region,
        case=case,
        assignee=verifier_for(case),
        due_at=case.step_deadline,
    )
    records.save_record(task, actor=actor)


def _finish_verification_tasks(case: Case, result: str, now: datetime, actor) -> None:
    # Each task is its own record with its own history: one logged change per task.
    tasks = Task.objects.select_for_update().filter(
        case=case, kind=TaskKind.VERIFICATION, status=TaskStatus.OPEN
    )
    for task in tasks:
        task.status = TaskStatus.DONE
        task.result = result
        task.done_at = now
        records.save_record(task, actor=actor, update_fields=["status", "result", "done_at"])


def verify_case(case: Case, *, actor, passed: bool, note: str = "", photos=(), now=None) -> Case:
    def apply(case, now):
        _finish_verification_tasks(case, "通过" if passed else f"未通过：{note}", now, actor)
        return {"passed": passed}

    action = "verify_pass" if passed else "verify_fail"
    return _run(
        action,
        case,
        actor,
        note,
        apply,
        uploads=photos,
        photo_stage=CaseAttachment.Stage.VERIFY,
        now=now,
    )


def close_case(case: Case, *, actor, note: str = "", now=None) -> Case:
    def apply(case, now):
        case.closed_at = now
        return {}

    return _run("close", case, actor, note, apply, now=now)


def evaluate_case(case: Case, *, actor, satisfaction: int, note: str = "", now=None) -> Case:
    spec = BY_ACTION["evaluate"].input("satisfaction")
    if satisfaction not in spec.values:
        raise spec.refusal()

    def apply(case, now):
        case.satisfaction = satisfaction
        return {"satisfaction": satisfaction}

    return _run("evaluate", case, actor, note, apply, now=now)


def reopen_case(case: Case, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        case.closed_at = None
        case.satisfaction = None
        case.department = None
        return {}

    return _run("reopen", case, actor, note, apply, now=now)


def request_extension(case: Case, *, actor, hours, note: str, now=None) -> Case:
    spec = BY_ACTION["request_extension"].input("hours")
    try:
        hours = Decimal(str(hours))
    except (InvalidOperation, ValueError) as exc:
        raise spec.refusal("延期时长应为数字（工作时）") from exc
    if not spec.min_value <= hours <= spec.max_value:
        raise spec.refusal(f"延期时长应在 {spec.min_value} 至 {spec.max_value} 个工作时之间")

    def apply(case, now):
        case.extension_hours = hours
        return {"hours": str(hours)}

    return _run("request_extension", case, actor, note, apply, now=now)


def approve_extension(case: Case, *, actor, note: str = "", now=None) -> Case:
    def apply(case, now):
        hours = case.extension_hours
        old = case.step_deadline
        clock.extend(case, hours)
        case.extension_hours = None
        return {
            "hours": str(hours),
            "old_deadline": old.isoformat(),
            "new_deadline": case.step_deadline.isoformat(),
        }

    return _run("approve_extension", case, actor, note, apply, now=now)


def deny_extension(case: Case, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        hours = case.extension_hours
        case.extension_hours = None
        return {"hours": str(hours)}

    return _run("deny_extension", case, actor, note, apply, now=now)


def suspend_case(case: Case, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        case.resume_state = case.state
        clock.pause(case, now)
        return {"resume_state": case.state}

    return _run("suspend", case, actor, note, apply, now=now)


def resume_case(case: Case, *, actor, note: str = "", now=None) -> Case:
    def apply(case, now):
        clock.resume(case, now)
        case.state = case.resume_state or CaseState.REGISTERED
        case.resume_state = ""
        return {}

    return _run("resume", case, actor, note, apply, now=now)


def escalate_case(case: Case, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        old = case.level
        case.level = next_level(case.level)
        case.department = None
        case.extension_hours = None
        return {"from_level": old, "to_level": case.level}

    return _run("escalate", case, actor, note, apply, now=now)


def merge_case(case: Case, *, actor, into: Case, note: str = "", now=None) -> Case:
    def apply(case, now):
        target = Case.objects.restrict(actor, "view").filter(pk=into.pk).first()
        if target is None or target.pk == case.pk or not target.is_open:
            raise ActionError("merge_target_invalid", "合并目标必须是另一条未办结的事件", 400)
        if target.merged_into_id:
            raise ActionError("merge_target_invalid", "合并目标本身已被合并", 400)
        case.merged_into = target
        return {"into_id": target.pk, "into_number": target.number}

    return _run("merge", case, actor, note, apply, now=now)


def supervise_case(
    case: Case,
    *,
    actor,
    note: str,
    required_by: datetime,
    level: int = SupervisionLevel.GENERAL,
    now=None,
) -> Case:
    def apply(case, now):
        return supervision.issue_order(
            case,
            BY_ACTION["supervise"],
            actor=actor,
            note=note,
            required_by=required_by,
            level=level,
            now=now,
        )

    return _run("supervise", case, actor, note, apply, now=now)


# --- one entry point for the desk and the API -----------------------------------------------

# The action function of each transition; `perform` hands it the transition's declared inputs.
RUNNERS: dict[str, Callable[..., Case]] = {
    "register": register_case,
    "reject": reject_case,
    "dispatch": dispatch_case,
    "accept": accept_case,
    "return": return_case,
    "report_back": report_back_case,
    "request_extension": request_extension,
    "approve_extension": approve_extension,
    "deny_extension": deny_extension,
    "verify_pass": partial(verify_case, passed=True),
    "verify_fail": partial(verify_case, passed=False),
    "close": close_case,
    "evaluate": evaluate_case,
    "reopen": reopen_case,
    "suspend": suspend_case,
    "resume": resume_case,
    "escalate": escalate_case,
    "merge": merge_case,
    "supervise": supervise_case,
}


def perform(action: str, case: Case, *, actor, inputs: dict) -> Case:
    """Run `action` with the inputs a form or API call supplied: those the transition declares
    become the action function's keyword arguments; a missing required one is refused."""
    transition = CASES.get(action)
    return RUNNERS[action](case, actor=actor, **CASES.arguments(transition, inputs))
