"""The notify app's tasks: SMS delivery (in `delivery`, named here too, where tasks queued by
earlier versions find it) and the periodic reminder of directives."""

from django_tasks import task

from citygrid.notify.delivery import deliver, deliver_sms, queue_delivery
from citygrid.notify.directives.reminders import remind_due

__all__ = ["deliver", "deliver_sms", "queue_delivery", "remind_directives"]


@task()
def remind_directives() -> int:
    """Periodic job (`settings.PERIODIC_JOBS`): the one automatic reminder to recipients who
    have not answered a directive due within a day; returns how many were reminded."""
    return remind_due()
