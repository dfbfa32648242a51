"""Periodic jobs: the deadline sweep, pruning of import and export files, population snapshots,
the case-number sequences, failing the import and export jobs whose worker stopped.

`settings.PERIODIC_JOBS` names each job's task and interval. `manage.py run_periodic` calls
`run_due()` every few seconds; a job whose due time has passed is queued on the task system and
the task worker (`db_worker`) runs it, so a slow or failing run never stalls the scheduler and a
database error in one round only delays the next.

The schedule lives in the database (`PeriodicJob`), not in the scheduler's memory. A slot is
claimed by a conditional UPDATE of its due time (compare-and-set) in the same transaction as the
enqueue: of two schedulers, or a scheduler and its restarted self, exactly one queues each slot,
and a failed enqueue leaves the slot due for the next round. A run still waiting in the queue is
not queued again, so a stopped worker does not come back to a pile of identical sweeps.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist

from citygrid.core.models import PeriodicJob

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    task: Task
    every: timedelta


def jobs() -> list[Job]:
    """The configured jobs: `PERIODIC_JOBS = {name: (task path, seconds)}`."""
    found = []
    for name, (path, seconds) in settings.PERIODIC_JOBS.items():
        if seconds <= 0:
            raise ValueError(f"定时任务 {name} 的间隔必须大于 0 秒")
        found.append(Job(name, import_string(path), timedelta(seconds=seconds)))
    return found


def next_due(due: datetime, every: timedelta, now: datetime) -> datetime:
    """The first slot after `now` on the job's grid: slots missed while nothing ran are skipped,
    not replayed one after another."""
    return due + every * ((now - due) // every + 1)


def run_due(now: datetime | None = None) -> list[str]:
    """Queue every job that is due; returns their names. One job's failure is logged and leaves
    that job due; the others still run."""
    now = now or timezone.now()
    queued = []
    for job in jobs():
        try:
            if _queue_if_due(job, now):
                queued.append(job.name)
        except Exception:
            logger.exception("定时任务 %s 排队失败，下一轮重试", job.name)
    return queued


def _queue_if_due(job: Job, now: datetime) -> bool:
    state, _ = PeriodicJob.objects.get_or_create(name=job.name, defaults={"due": now})
    if state.due > now:
        return False
    with transaction.atomic():
        claimed = PeriodicJob.objects.filter(pk=state.pk, due=state.due).update(
            due=next_due(state.due, job.every, now)
        )
        if not claimed:
            return False  # another scheduler took this slot
        if _waiting(job, state.task_id):
            logger.info("定时任务 %s 上一次尚未开始执行，本次跳过", job.name)
            return False
        result = job.task.enqueue()
        PeriodicJob.objects.filter(pk=state.pk).update(last_queued=now, task_id=str(result.id))
    return True


def _waiting(job: Job, task_id: str) -> bool:
    backend = job.task.get_backend()
    if not task_id or not backend.supports_get_result:
        return False
    try:
        return backend.get_result(task_id).status == TaskResultStatus.READY
    except TaskResultDoesNotExist:
        return False  # pruned from the results
