"""Every state change of a case, one function per transition (STYLE: `verb_noun(case, *, actor)`).

Each runs in a transaction: lock the row, check the actor's scope (else 404) and permission,
the transition table's guard and required inputs, change the case, write exactly one
`CaseEvent`, save, and queue notifications for after the commit. A refused action raises
`WorkflowError` and changes nothing.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from citygrid.cases import clock, events, photos
from citygrid.cases.choices import CaseState, SupervisionLevel, TaskKind, TaskStatus
from citygrid.cases.errors import CaseNotFound, WorkflowError
from citygrid.cases.models import Case, CaseAttachment, Department, SupervisionOrder, Task
from citygrid.cases.routing import next_level, responsible_department, verifier_for
from citygrid.cases.workflow import BY_ACTION, Transition

# --- guards ---------------------------------------------------------------------------------


def _is_member(case: Case, user) -> bool:
    if user.is_superuser:
        return True
    return case.department_id is not None and case.department.members.filter(pk=user.pk).exists()


def guard(
    transition: Transition,
    case: Case,
    user,
    now: datetime | None = None,
    member: bool | None = None,
) -> None:
    """Raise if `user` may not take `transition` on `case` now (inputs are checked apart).

    `member` (is the user in the case's department) may be passed when already known."""
    if case.state not in transition.sources:
        raise WorkflowError(
            "invalid_transition",
            f"当前状态为“{case.get_state_display()}”，不能执行“{transition.label}”",
        )
    if not user.has_perm(f"cases.{transition.permission}"):
        raise WorkflowError("permission_denied", f"您没有“{transition.label}”的权限", 403)
    if member is None:
        member = _is_member(case, user) if transition.department_only else False
    if transition.department_only and not member:
        raise WorkflowError("not_in_department", "只有责任部门的人员可以执行此操作", 403)
    action = transition.action
    pending = case.extension_hours is not None
    if action == "request_extension" and pending:
        raise WorkflowError("extension_pending", "已有延期申请待审批")
    if action in ("approve_extension", "deny_extension") and not pending:
        raise WorkflowError("no_extension_pending", "没有待审批的延期申请")
    if action == "evaluate" and case.satisfaction is not None:
        raise WorkflowError("already_evaluated", "该事件已评价")
    if action == "reopen":
        window = timedelta(days=settings.CASE_REOPEN_DAYS)
        if case.closed_at is None or (now or timezone.now()) > case.closed_at + window:
            raise WorkflowError(
                "reopen_window_passed", f"结案超过 {settings.CASE_REOPEN_DAYS} 天，不能重新办理"
            )
    if action == "escalate" and next_level(case.level) is None:
        raise WorkflowError("top_level", "已是最高层级，不能再上报")
    if action == "supervise" and case.department_id is None:
        raise WorkflowError("no_department", "事件尚未派遣到部门，无法督办")


def available_actions(case: Case, user) -> list[Transition]:
    """The transitions this user may take on this case now — what the case page offers."""
    allowed = []
    member = _is_member(case, user)
    for transition in BY_ACTION.values():
        try:
            guard(transition, case, user, member=member)
        except WorkflowError:
            continue
        allowed.append(transition)
    return allowed


# --- the common path ------------------------------------------------------------------------


def _lock(case_id: int, actor) -> Case:
    """The case, locked, if the actor may see it: one query. The grid comes along because
    saving a scoped record reads its code."""
    case = (
        Case.objects.restrict(actor, "view")
        .select_for_update(of=("self",))
        .select_related("department", "category", "region")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise CaseNotFound
    case.snapshot()
    return case


def _run(
    action: str,
    case_id: int,
    actor,
    note: str,
    apply: Callable[[Case, datetime], dict] | None = None,
    *,
    uploads=(),
    photo_stage: str = CaseAttachment.Stage.AFTER,
    now: datetime | None = None,
) -> Case:
    transition = BY_ACTION[action]
    note = (note or "").strip()
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case_id, actor)
        guard(transition, case, actor, now)
        if transition.needs_note and not note:
            raise WorkflowError("note_required", f"“{transition.label}”需要填写意见", 400)
        if transition.needs_photo and not uploads:
            raise WorkflowError("photo_required", f"“{transition.label}”需要上传照片", 400)
        cleaned = photos.validate_photos(uploads)
        from_state = case.state
        on_time = elapsed = None
        if transition.next_step is not None:
            on_time, elapsed = clock.finish_step(case, now)
        data = apply(case, now) if apply else {}
        if transition.target:
            case.state = transition.target
        if transition.next_step:
            clock.start_step(case, transition.next_step, now)
        elif transition.next_step == "":
            clock.stop_clock(case)
        case.save()
        event = events.record(
            case,
            action,
            actor=actor,
            time=now,
            from_state=from_state,
            note=note,
            on_time=on_time,
            elapsed_seconds=elapsed,
            **data,
        )
        if cleaned:
            photos.attach(case, event, cleaned, photo_stage, actor)
        _after_commit(case, event)
    return case


def _after_commit(case: Case, event) -> None:
    from citygrid.cases import notifications

    if not notifications.is_muted():
        transaction.on_commit(lambda: notifications.after_event(case.pk, event.pk))


# --- the transitions ------------------------------------------------------------------------


def register_case(case_id: int, *, actor, note: str = "", now=None) -> Case:
    return _run("register", case_id, actor, note, now=now)


def reject_case(case_id: int, *, actor, note: str, now=None) -> Case:
    return _run("reject", case_id, actor, note, now=now)


def dispatch_case(
    case_id: int, *, actor, department: Department | None = None, note: str = "", now=None
) -> Case:
    def apply(case, now):
        suggested = responsible_department(case)
        target = department or suggested
        if target is None:
            raise WorkflowError(
                "department_required", "未配置该类事件的责任部门，请选择派遣部门", 400
            )
        if not target.active:
            raise WorkflowError("department_inactive", f"部门“{target}”已停用", 400)
        on_path = case.region_code.startswith(target.region_code)
        if not on_path and not Department.objects.in_scope(actor).filter(pk=target.pk).exists():
            raise WorkflowError(
                "department_out_of_reach", f"部门“{target}”不负责该事件所在区域", 400
            )
        case.department = target
        return {
            "department_id": target.pk,
            "matrix_department_id": suggested.pk if suggested else None,
        }

    return _run("dispatch", case_id, actor, note, apply, now=now)


def accept_case(case_id: int, *, actor, note: str = "", now=None) -> Case:
    return _run("accept", case_id, actor, note, now=now)


def return_case(case_id: int, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        returned_by = case.department_id
        case.department = None
        case.extension_hours = None
        return {"returned_by_department_id": returned_by}

    return _run("return", case_id, actor, note, apply, now=now)


def report_back_case(case_id: int, *, actor, note: str, photos=(), now=None) -> Case:
    def apply(case, now):
        case.extension_hours = None
        return {}

    # One transaction, so the task exists when the after-commit notice looks for its assignee.
    with transaction.atomic():
        case = _run("report_back", case_id, actor, note, apply, uploads=photos, now=now)
        _create_verification_task(case)
    return case


def _create_verification_task(case: Case) -> None:
    Task.objects.create(
        kind=TaskKind.VERIFICATION,
        title=f"核查事件 {case.number}",
        region=case.region,
        case=case,
        assignee=verifier_for(case),
        due_at=case.step_deadline,
    )


def _finish_verification_tasks(case: Case, result: str, now: datetime) -> None:
    Task.objects.filter(case=case, kind=TaskKind.VERIFICATION, status=TaskStatus.OPEN).update(
        status=TaskStatus.DONE, result=result, done_at=now
    )


def verify_case(case_id: int, *, actor, passed: bool, note: str = "", photos=(), now=None) -> Case:
    def apply(case, now):
        _finish_verification_tasks(case, "通过" if passed else f"未通过：{note}", now)
        return {"passed": passed}

    action = "verify_pass" if passed else "verify_fail"
    return _run(
        action,
        case_id,
        actor,
        note,
        apply,
        uploads=photos,
        photo_stage=CaseAttachment.Stage.VERIFY,
        now=now,
    )


def close_case(case_id: int, *, actor, note: str = "", now=None) -> Case:
    def apply(case, now):
        case.closed_at = now
        return {}

    return _run("close", case_id, actor, note, apply, now=now)


def evaluate_case(case_id: int, *, actor, satisfaction: int, note: str = "", now=None) -> Case:
    if satisfaction not in (1, 2, 3, 4, 5):
        raise WorkflowError("invalid_satisfaction", "满意度应为 1 至 5 分", 400)

    def apply(case, now):
        case.satisfaction = satisfaction
        return {"satisfaction": satisfaction}

    return _run("evaluate", case_id, actor, note, apply, now=now)


def reopen_case(case_id: int, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        case.closed_at = None
        case.satisfaction = None
        case.department = None
        return {}

    return _run("reopen", case_id, actor, note, apply, now=now)


def request_extension(case_id: int, *, actor, hours, note: str, now=None) -> Case:
    try:
        hours = Decimal(str(hours))
    except (InvalidOperation, ValueError) as exc:
        raise WorkflowError("invalid_hours", "延期时长应为数字（工作时）", 400) from exc
    if not Decimal("0.5") <= hours <= Decimal("720"):
        raise WorkflowError("invalid_hours", "延期时长应在 0.5 至 720 个工作时之间", 400)

    def apply(case, now):
        case.extension_hours = hours
        return {"hours": str(hours)}

    return _run("request_extension", case_id, actor, note, apply, now=now)


def approve_extension(case_id: int, *, actor, note: str = "", now=None) -> Case:
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

    return _run("approve_extension", case_id, actor, note, apply, now=now)


def deny_extension(case_id: int, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        hours = case.extension_hours
        case.extension_hours = None
        return {"hours": str(hours)}

    return _run("deny_extension", case_id, actor, note, apply, now=now)


def suspend_case(case_id: int, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        case.resume_state = case.state
        clock.pause(case, now)
        return {"resume_state": case.state}

    return _run("suspend", case_id, actor, note, apply, now=now)


def resume_case(case_id: int, *, actor, note: str = "", now=None) -> Case:
    def apply(case, now):
        clock.resume(case, now)
        case.state = case.resume_state or CaseState.REGISTERED
        case.resume_state = ""
        return {}

    return _run("resume", case_id, actor, note, apply, now=now)


def escalate_case(case_id: int, *, actor, note: str, now=None) -> Case:
    def apply(case, now):
        old = case.level
        case.level = next_level(case.level)
        case.department = None
        case.extension_hours = None
        return {"from_level": old, "to_level": case.level}

    return _run("escalate", case_id, actor, note, apply, now=now)


def merge_case(case_id: int, *, actor, into: Case, note: str = "", now=None) -> Case:
    def apply(case, now):
        target = Case.objects.restrict(actor, "view").filter(pk=into.pk).first()
        if target is None or target.pk == case.pk or not target.is_open:
            raise WorkflowError("merge_target_invalid", "合并目标必须是另一条未办结的事件", 400)
        if target.merged_into_id:
            raise WorkflowError("merge_target_invalid", "合并目标本身已被合并", 400)
        case.merged_into = target
        return {"into_id": target.pk, "into_number": target.number}

    return _run("merge", case_id, actor, note, apply, now=now)


def supervise_case(
    case_id: int,
    *,
    actor,
    note: str,
    required_by: datetime,
    level: int = SupervisionLevel.GENERAL,
    now=None,
) -> Case:
    if level not in SupervisionLevel.values:
        raise WorkflowError("invalid_level", "督办级别无效", 400)

    def apply(case, now):
        if required_by <= now:
            raise WorkflowError("invalid_required_by", "要求完成时间必须晚于当前时间", 400)
        order = SupervisionOrder.objects.create(
            case=case,
            department=case.department,
            level=level,
            required_by=required_by,
            instructions=note,
            issued_by=actor,
            region=case.region,
        )
        return {"order_id": order.pk, "level": level}

    return _run("supervise", case_id, actor, note, apply, now=now)


# --- one entry point for the desk and the API -----------------------------------------------


def perform(action: str, case_id: int, *, actor, inputs: dict) -> Case:
    """Run `action` with the inputs a form or API call supplied (only those it uses).

    inputs: note, photos, department, hours, satisfaction, into (Case), required_by, level.
    """
    note = inputs.get("note") or ""
    photos_in = inputs.get("photos") or []
    runners: dict[str, Callable[[], Case]] = {
        "register": lambda: register_case(case_id, actor=actor, note=note),
        "reject": lambda: reject_case(case_id, actor=actor, note=note),
        "dispatch": lambda: dispatch_case(
            case_id, actor=actor, note=note, department=inputs.get("department")
        ),
        "accept": lambda: accept_case(case_id, actor=actor, note=note),
        "return": lambda: return_case(case_id, actor=actor, note=note),
        "report_back": lambda: report_back_case(case_id, actor=actor, note=note, photos=photos_in),
        "request_extension": lambda: request_extension(
            case_id, actor=actor, note=note, hours=inputs.get("hours")
        ),
        "approve_extension": lambda: approve_extension(case_id, actor=actor, note=note),
        "deny_extension": lambda: deny_extension(case_id, actor=actor, note=note),
        "verify_pass": lambda: verify_case(
            case_id, actor=actor, passed=True, note=note, photos=photos_in
        ),
        "verify_fail": lambda: verify_case(
            case_id, actor=actor, passed=False, note=note, photos=photos_in
        ),
        "close": lambda: close_case(case_id, actor=actor, note=note),
        "evaluate": lambda: evaluate_case(
            case_id, actor=actor, note=note, satisfaction=inputs.get("satisfaction")
        ),
        "reopen": lambda: reopen_case(case_id, actor=actor, note=note),
        "suspend": lambda: suspend_case(case_id, actor=actor, note=note),
        "resume": lambda: resume_case(case_id, actor=actor, note=note),
        "escalate": lambda: escalate_case(case_id, actor=actor, note=note),
        "merge": lambda: _merge(case_id, actor, note, inputs.get("into")),
        "supervise": lambda: _supervise(case_id, actor, note, inputs),
    }
    if action not in runners:
        raise WorkflowError("unknown_action", f"未知操作：{action}", 400)
    return runners[action]()


def _merge(case_id: int, actor, note: str, into) -> Case:
    if into is None:
        raise WorkflowError("merge_target_invalid", "请指定合并到的事件", 400)
    return merge_case(case_id, actor=actor, into=into, note=note)


def _supervise(case_id: int, actor, note: str, inputs: dict) -> Case:
    if not inputs.get("required_by"):
        raise WorkflowError("invalid_required_by", "请填写要求完成时间", 400)
    return supervise_case(
        case_id,
        actor=actor,
        note=note,
        required_by=inputs["required_by"],
        level=inputs.get("level") or SupervisionLevel.GENERAL,
    )
