"""Receipt states in SQL: the filter of the sender's table and its counts, one query each.

The state is derived (未读/已读/已签收/已反馈/逾期) from the receipt's timestamps and the
directive's deadline, so it is never stale and needs no sweep to turn 逾期.
"""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from citygrid.notify.choices import ReceiptState, SmsStatus

# The automatic reminder goes this long before the deadline.
REMIND_BEFORE = timedelta(hours=24)


def state_q(state: str, now=None) -> Q:
    now = now or timezone.now()
    open_ = Q(answered_at=None, directive__deadline__gte=now)
    return {
        ReceiptState.ANSWERED: ~Q(answered_at=None),
        ReceiptState.OVERDUE: Q(answered_at=None, directive__deadline__lt=now),
        ReceiptState.ACKNOWLEDGED: open_ & ~Q(acknowledged_at=None),
        ReceiptState.READ: open_ & Q(acknowledged_at=None) & ~Q(read_at=None),
        ReceiptState.UNREAD: open_ & Q(acknowledged_at=None, read_at=None),
    }[state]


SMS_FAILED = Q(sms__status=SmsStatus.FAILED)


def counts(receipts) -> dict[str, int]:
    """How many receipts are in each state, and how many SMS failed."""
    now = timezone.now()
    aggregates = {state.value: Count("pk", filter=state_q(state, now)) for state in ReceiptState}
    aggregates["sms_failed"] = Count("pk", filter=SMS_FAILED)
    aggregates["total"] = Count("pk")
    return receipts.aggregate(**aggregates)


def due_for_reminder(receipts, now=None):
    """Unanswered receipts whose deadline is within REMIND_BEFORE and who had no automatic
    reminder yet."""
    now = now or timezone.now()
    return receipts.filter(
        answered_at=None,
        auto_reminded_at=None,
        directive__deadline__gt=now,
        directive__deadline__lte=now + REMIND_BEFORE,
    )
