"""Writes of a grid worker's day: finishing a patrol task, linking a visit to the case it found."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from citygrid.cases.choices import TaskKind, TaskStatus
from citygrid.cases.models import Case, Task, Visit
from citygrid.core import records
from citygrid.core.errors import ActionError


class TaskNotFound(ActionError):
    def __init__(self):
        super().__init__("not_found", "任务不存在或不在您的管辖范围内", 404)


def can_complete(task: Task, user) -> None:
    """The assignee finishes their own task; anyone else needs the change permission."""
    if task.kind != TaskKind.PATROL:
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
