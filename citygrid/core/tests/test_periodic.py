import io
import logging
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from citygrid.core import periodic
from citygrid.core.management.commands import run_periodic
from citygrid.core.models import PeriodicJob

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_current_timezone())
MINUTE = timedelta(minutes=1)


@task()
def ping() -> None:
    """A periodic job for the tests: runs only when a test works the queue."""


@pytest.fixture(autouse=True)
def _queue(settings):
    # The database queue, as in production: queued tasks wait for a worker, and their results
    # can be read back.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.PERIODIC_JOBS = {"ping": ("citygrid.core.tests.test_periodic.ping", 60)}


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.order_by("enqueued_at"))


def finish_all() -> None:
    DBTaskResult.objects.update(status="SUCCESSFUL")


def test_the_configured_jobs_are_importable_tasks(settings):
    from citygrid.settings import PERIODIC_JOBS

    settings.PERIODIC_JOBS = PERIODIC_JOBS
    assert {(job.name, job.task.name, job.every) for job in periodic.jobs()} == {
        ("sweep_deadlines", "sweep_deadlines", timedelta(seconds=60)),
        ("prune_jobs", "prune_jobs", timedelta(seconds=3600)),
        ("snapshot_population", "snapshot_population", timedelta(seconds=600)),
        ("refresh_grid_population", "refresh_grid_population", timedelta(seconds=600)),
        ("prepare_case_numbers", "prepare_case_numbers", timedelta(seconds=3600)),
        ("reap_jobs", "reap_jobs", timedelta(seconds=60)),
        ("compile_dispute_reports", "compile_dispute_reports", timedelta(seconds=3600)),
        ("remind_monthly_reports", "remind_monthly_reports", timedelta(seconds=86400)),
        ("warn_expiring_licences", "warn_expiring_licences", timedelta(seconds=86400)),
        ("remind_directives", "remind_directives", timedelta(seconds=3600)),
    }


def test_the_workers_run_the_configured_jobs(settings, tree):
    from citygrid.settings import PERIODIC_JOBS

    settings.PERIODIC_JOBS = PERIODIC_JOBS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    results = {job.name: job.task.enqueue() for job in periodic.jobs()}

    assert {name: r.status for name, r in results.items()} == dict.fromkeys(
        results, TaskResultStatus.SUCCESSFUL
    )
    assert {name: r.return_value for name, r in results.items()} == {
        "sweep_deadlines": {"warned": 0, "overdue": 0, "escalated_orders": 0},
        "prune_jobs": 0,
        "snapshot_population": 5,  # the city, two counties, two townships
        "refresh_grid_population": 0,  # nobody lives in the test territory
        "prepare_case_numbers": 0,  # no sequence old enough to drop
        "reap_jobs": 0,
        # Yesterday's and last week's 零报告 of the city, the counties and the townships.
        "compile_dispute_reports": {
            kind: {"created": 5, "updated": 0, "unchanged": 0, "submitted": 0}
            for kind in ("daily", "weekly")
        },
        # From the 5th: last month's 催报 to the counties, townships and communities (none filed).
        "remind_monthly_reports": 6 if timezone.localdate().day >= 5 else 0,
        "warn_expiring_licences": {"licences": 0, "notices": 0},  # no unit in the territory
        "remind_directives": 0,  # no directive near its deadline
    }


def test_a_due_job_is_queued_once_per_slot():
    assert periodic.run_due(T0) == ["ping"]  # a new job is due at once
    state = PeriodicJob.objects.get(name="ping")
    [result] = queued()
    assert (state.due, state.last_queued, state.task_id) == (T0 + MINUTE, T0, str(result.id))
    assert result.task_path == "citygrid.core.tests.test_periodic.ping"

    finish_all()
    assert periodic.run_due(T0 + timedelta(seconds=59)) == []
    assert periodic.run_due(T0 + MINUTE) == ["ping"]
    assert len(queued()) == 2
    assert PeriodicJob.objects.get(name="ping").due == T0 + 2 * MINUTE


def test_slots_missed_while_stopped_are_skipped_not_replayed():
    periodic.run_due(T0)
    finish_all()

    assert periodic.run_due(T0 + timedelta(minutes=10, seconds=30)) == ["ping"]

    assert len(queued()) == 2
    # Still on the job's grid: the next slot after 09:10:30 is 09:11.
    assert PeriodicJob.objects.get(name="ping").due == T0 + 11 * MINUTE


def test_two_schedulers_reading_the_same_slot_queue_it_once(monkeypatch):
    periodic.run_due(T0)
    finish_all()
    manager = PeriodicJob.objects
    read = manager.get_or_create
    outcome = {}

    def read_then_lose_the_race(*args, **kwargs):
        found = read(*args, **kwargs)
        monkeypatch.setattr(manager, "get_or_create", read)
        # Scheduler B reads the same due time and queues the slot before A moves on.
        outcome["b"] = periodic.run_due(T0 + MINUTE)
        return found

    monkeypatch.setattr(manager, "get_or_create", read_then_lose_the_race)
    outcome["a"] = periodic.run_due(T0 + MINUTE)

    assert outcome == {"a": [], "b": ["ping"]}
    assert len(queued()) == 2
    assert PeriodicJob.objects.get(name="ping").due == T0 + 2 * MINUTE


def test_a_run_still_waiting_for_a_worker_is_not_queued_again():
    periodic.run_due(T0)

    assert periodic.run_due(T0 + MINUTE) == []
    assert len(queued()) == 1
    # The slot is used up all the same: no catching up once the worker is back.
    assert PeriodicJob.objects.get(name="ping").due == T0 + 2 * MINUTE

    finish_all()
    assert periodic.run_due(T0 + 2 * MINUTE) == ["ping"]
    assert len(queued()) == 2


def test_a_failed_enqueue_is_logged_and_the_slot_stays_due(monkeypatch, caplog):
    enqueue = DatabaseBackend.enqueue
    calls = []

    def fail_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is restarting")
        return enqueue(self, *args, **kwargs)

    monkeypatch.setattr(DatabaseBackend, "enqueue", fail_once)

    with caplog.at_level(logging.ERROR):
        assert periodic.run_due(T0) == []
    assert "定时任务 ping 排队失败" in caplog.text
    assert queued() == []
    state = PeriodicJob.objects.get(name="ping")
    assert (state.due, state.last_queued, state.task_id) == (T0, None, "")

    assert periodic.run_due(T0 + timedelta(seconds=5)) == ["ping"]
    assert len(queued()) == 1
    assert PeriodicJob.objects.get(name="ping").due == T0 + MINUTE


def test_next_due_stays_on_the_grid():
    assert periodic.next_due(T0, MINUTE, T0) == T0 + MINUTE
    assert periodic.next_due(T0, MINUTE, T0 + timedelta(seconds=59)) == T0 + MINUTE
    assert periodic.next_due(T0, MINUTE, T0 + timedelta(seconds=150)) == T0 + 3 * MINUTE


def test_a_job_without_a_positive_interval_is_refused(settings):
    settings.PERIODIC_JOBS = {"ping": ("citygrid.core.tests.test_periodic.ping", 0)}
    with pytest.raises(ValueError, match="定时任务 ping 的间隔必须大于 0 秒"):
        periodic.jobs()


def test_the_scheduler_survives_a_failed_round(monkeypatch, caplog):
    run_due = periodic.run_due
    rounds, sleeps, reconnects = [], [], []

    def down_once():
        rounds.append(1)
        if len(rounds) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return run_due()

    monkeypatch.setattr(periodic, "run_due", down_once)
    monkeypatch.setattr(run_periodic.time, "sleep", sleeps.append)
    # Django's own; here it would end the test's transaction.
    monkeypatch.setattr(run_periodic, "close_old_connections", lambda: reconnects.append(1))
    out = io.StringIO()

    with caplog.at_level(logging.ERROR):
        call_command("run_periodic", "--rounds", "2", "--tick", "7", stdout=out)

    assert "定时任务调度失败，7.0 秒后重试" in caplog.text
    assert out.getvalue() == "已排队：ping\n"
    assert len(queued()) == 1
    assert (len(rounds), sleeps, len(reconnects)) == (2, [7.0], 2)
