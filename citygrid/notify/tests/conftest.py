import pytest


@pytest.fixture(autouse=True)
def sms_templates(db):
    """The seeded templates, again: a transactional test elsewhere may have flushed them."""
    from citygrid.notify.seeds import seed_sms_templates

    seed_sms_templates()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """send_sms(...) as an action would, with the commit that follows it."""
    from citygrid.notify.services import send_sms

    def run(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            message = send_sms(*args, **kwargs)
        message.refresh_from_db()
        return message

    return run


class TaskQueue:
    """The database task queue, worked through by hand: what `db_worker` would run, and when."""

    def pending(self) -> list:
        from django_tasks_db.models import DBTaskResult

        return list(DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"))

    def run_next(self) -> float | None:
        """Run the oldest queued task now; returns the seconds it was queued to wait (None: it
        was due at once)."""
        result = self.pending()[0]
        result.delete()
        run_after = result.task.run_after
        wait = None if run_after is None else (run_after - result.enqueued_at).total_seconds()
        result.task.call(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
        return None if wait is None else round(wait, 1)

    def run_all(self) -> list[float | None]:
        waits = []
        while self.pending():
            waits.append(self.run_next())
        return waits


@pytest.fixture
def task_queue(settings):
    """Tasks go to the database queue (which supports `run_after`) instead of running at once."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    return TaskQueue()


@pytest.fixture
def no_sleep(monkeypatch):
    """A worker that sleeps fails the test: retries wait in the queue, not in a worker."""
    import time

    def sleep(seconds):
        raise AssertionError(f"slept {seconds} s in the worker")

    monkeypatch.setattr(time, "sleep", sleep)
