"""The automatic reminder before a directive's deadline: once per receipt, whenever the job
runs (the receipt's `auto_reminded_at` makes a second run a no-op)."""

from citygrid.notify.directives import actions, states
from citygrid.notify.models import DirectiveReceipt

BATCH = 500


def remind_due() -> int:
    total = 0
    while True:
        batch = list(
            states.due_for_reminder(DirectiveReceipt.objects.all())
            .select_related("directive", "recipient")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            return total
        total += actions.remind(batch, auto=True)
