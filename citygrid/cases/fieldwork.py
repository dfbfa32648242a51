"""Writes of a grid worker's day: patrol tasks they set themselves or are given, data-verification
tasks (核查任务) sent from above about a person or a house and answered from the grid app, and
linking a visit to the case it found."""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from citygrid.cases import notifications
from citygrid.cases.choices import TaskKind, TaskStatus, VerificationOutcome
from citygrid.cases.models import Case, Task, Visit
from citygrid.core import records
from citygrid.core.errors import ActionError
from citygrid.core.validators import mask_name
from citygrid.notify.services import notify_user
from citygrid.regions.choices import RegionLevel, WorkerRole
from citygrid.regions.models import GridWorker, Region


class TaskNotFound(ActionError):
    def __init__(self):
        super().__init__("not_found", "任务不存在或不在您的管辖范围内", 404)


def can_complete(task: Task, user) -> None:
    """The assignee finishes their own task; anyone else needs the change permission."""
    if task.kind != TaskKind.PATROL:
        if task.target is not None:
            raise ActionError("verification_task", "核查任务请填写核查结论后提交")
        raise ActionError("verification_task", "核查任务随事件核查自动完成，请到事件页面核查")
    if task.status != TaskStatus.OPEN:
        raise ActionError("task_not_open", f"任务状态为“{task.get_status_display()}”，不能完成")
    if task.assignee_id != user.pk and not user.has_perm("cases.change_task"):
        raise ActionError("permission_denied", "只有执行人可以完成此任务", 403)


def complete_task(task: Task, *, actor, result: str, now: datetime | None = None) -> Task:
    result = (result or "").strip()
    with transaction.atomic():
        if not Task.objects.restrict(actor, "view").filter(pk=task.pk).exists():
            raise TaskNotFound
        task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
        can_complete(task, actor)
        if not result:
            raise ActionError("result_required", "请填写执行情况", 400)
        task.status = TaskStatus.DONE
        task.result = result
        task.done_at = now or timezone.now()
        records.save_record(task, actor=actor, update_fields=["status", "result", "done_at"])
    return task


def link_visit_case(visit: Visit, case: Case) -> None:
    """A problem found on a visit became `case`: the visit points at it (first case only).

    Written by the case's reporter, who turned the finding into the case in the same request."""
    if visit.case_id is None:
        visit.case = case
        records.save_record(visit, actor=case.reporter, update_fields=["case"])


def _end_of(day: date | None) -> datetime | None:
    """A task is due at the end of its last day: the countdowns run to it."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59))) if day else None


def _save(task: Task, actor, **kwargs) -> None:
    try:
        records.save_record(task, actor=actor, **kwargs)
    except ValidationError as exc:
        raise ActionError("invalid", "；".join(exc.messages), 400) from exc


def own_grids(user):
    """The grids where `user` holds an active post (网格员, 巡查员 or 监督员)."""
    posts = GridWorker.objects.filter(user=user, active=True, region__level=RegionLevel.GRID)
    return Region.objects.filter(pk__in=posts.values("region")).order_by("code")


def create_own_patrol(
    *,
    actor,
    grid: Region,
    title: str,
    end_date: date | None = None,
    frequency: str = "",
    instructions: str = "",
) -> Task:
    """A patrol task a grid worker sets themselves, in one of the grids they walk: no
    `add_task` permission needed (that one assigns work to others), the assignee is always
    the author."""
    title = (title or "").strip()
    if not title:
        raise ActionError("title_required", "请填写任务标题", 400)
    if not own_grids(actor).filter(pk=grid.pk).exists():
        raise ActionError("not_own_grid", "只能在本人负责的网格中新建巡查任务", 403)
    if end_date is not None and end_date < timezone.localdate():
        raise ActionError("end_in_past", "结束日期不能早于今天", 400)
    task = Task(
        kind=TaskKind.PATROL,
        region=grid,
        title=title[:100],
        assignee=actor,
        sender=actor,
        start_date=timezone.localdate(),
        end_date=end_date,
        frequency=(frequency or "").strip()[:50],
        instructions=(instructions or "").strip(),
        due_at=_end_of(end_date),
    )
    _save(task, actor)
    return task


def verification_tasks(user, **target) -> list[Task] | None:
    """The 核查任务 about one record (`person=` or `house=`) for its page, the latest first;
    None for a user who may not see tasks (the page then shows no such card)."""
    if not user.has_perm("cases.view_task"):
        return None
    tasks = Task.objects.restrict(user, "view").filter(kind=TaskKind.VERIFICATION, **target)
    return list(tasks.select_related("sender", "assignee").order_by("-created", "-pk")[:10])


def grid_worker_of(grid: Region):
    """Who answers a 核查任务 in `grid`: its 网格员 (the longest in post first), else any other
    active post holder with a login."""
    posts = GridWorker.objects.filter(region=grid, active=True, user__isnull=False)
    post = (
        posts.filter(role=WorkerRole.GRID_WORKER).order_by("pk").first()
        or posts.order_by("pk").first()
    )
    return post.user if post else None


def send_verification(target, *, actor, instructions: str, end_date: date | None = None) -> Task:
    """A 核查任务 about a person or a house, sent to the grid worker of the record's grid.

    `target` comes from the caller's `restrict(actor, "view")` (the record page): a sender acts
    only on records of their territory; the task is re-checked against it when saved."""
    instructions = (instructions or "").strip()
    if not actor.has_perm("cases.send_verification_task"):
        raise ActionError("permission_denied", "您没有发起核查任务的权限", 403)
    if not instructions:
        raise ActionError("instructions_required", "请填写需要核查的内容", 400)
    if end_date is not None and end_date < timezone.localdate():
        raise ActionError("end_in_past", "完成期限不能早于今天", 400)
    grid = target.region
    if grid.level != RegionLevel.GRID:
        raise ActionError("no_grid", "该记录尚未归属到网格，无法派给网格员", 400)
    assignee = grid_worker_of(grid)
    if assignee is None:
        raise ActionError("no_grid_worker", f"{grid.name}暂无在岗网格员，无法发起核查", 400)
    if assignee.pk == actor.pk:
        raise ActionError("self_assigned", "您就是该网格的网格员，请直接核实并修改", 400)
    is_person = target._meta.model_name == "person"
    about = {"person": target} if is_person else {"house": target}
    if Task.objects.filter(status=TaskStatus.OPEN, **about).exists():
        raise ActionError("already_open", "该记录已有待执行的核查任务，请等待网格员答复", 400)
    task = Task(
        kind=TaskKind.VERIFICATION,
        region=grid,
        title=_title(target, is_person),
        assignee=assignee,
        sender=actor,
        person=target if is_person else None,
        house=None if is_person else target,
        start_date=timezone.localdate(),
        end_date=end_date,
        instructions=instructions,
        due_at=_end_of(end_date),
    )
    with transaction.atomic():
        _save(task, actor)
        _notify_after_commit(
            assignee, f"新核查任务：{task.title}", instructions, task.get_absolute_url()
        )
    return task


def _title(target, is_person: bool) -> str:
    """Titles travel to task lists and notifications, so a person's name goes masked; the
    task's page links to the record, which shows what the reader may see."""
    if is_person:
        return f"核查人员信息：{mask_name(target.name)}"[:100]
    return f"核查房屋信息：{target}"[:100]


def answer_verification(
    task: Task, *, actor, outcome: str, note: str, corrections: str = "", now=None
) -> Task:
    """The assignee answers a 核查任务: 核实无误, or 信息有误 with what is right. The sender is
    told in the app; the answer shows on the record's page."""
    note, corrections = (note or "").strip(), (corrections or "").strip()
    if outcome not in VerificationOutcome.values:
        raise ActionError("outcome_required", "请选择核查结论：核实无误或信息有误", 400)
    if outcome == VerificationOutcome.INCORRECT and not (note or corrections):
        raise ActionError("corrections_required", "信息有误时请写明错误之处或正确信息", 400)
    with transaction.atomic():
        task = (
            Task.objects.restrict(actor, "view")
            .select_for_update(of=("self",))
            .filter(pk=task.pk)
            .first()
        )
        if task is None:
            raise TaskNotFound
        if task.kind != TaskKind.VERIFICATION or task.target is None:
            raise ActionError("not_data_verification", "该任务不是人员或房屋核查任务", 400)
        if task.status != TaskStatus.OPEN:
            raise ActionError(
                "task_not_open", f"任务状态为“{task.get_status_display()}”，不能再次提交"
            )
        if task.assignee_id != actor.pk:
            raise ActionError("permission_denied", "只有执行人可以提交核查结论", 403)
        task.status = TaskStatus.DONE
        task.outcome = outcome
        task.result = note
        task.corrections = corrections
        task.done_at = now or timezone.now()
        _save(task, actor, update_fields=["status", "outcome", "result", "corrections", "done_at"])
        if task.sender_id:
            _notify_after_commit(
                task.sender,
                f"核查结果：{task.get_outcome_display()}（{task.title}）",
                note or corrections,
                task.target.get_absolute_url(),
                level="warning" if outcome == VerificationOutcome.INCORRECT else "info",
            )
    return task


def _notify_after_commit(user, title: str, body: str, url: str, level: str = "info") -> None:
    if not notifications.is_muted():
        transaction.on_commit(lambda: notify_user(user, title, body, url=url, level=level))
