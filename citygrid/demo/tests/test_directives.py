"""The demo directives: every receipt state and a failed SMS, the same for the same seed."""

import random

import pytest

from citygrid.demo.directives import generate_demo_directives
from citygrid.notify.models import DirectiveReceipt
from citygrid.notify.seeds import seed_sms_templates

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_staff(tree, make_user):
    seed_sms_templates()
    perms = ["notify.send_directive", "notify.view_directive"]
    for username, scope, phone in (
        ("street_staff", tree.township_a, "19900000004"),
        ("community_staff", tree.community_a, "19900000010"),
        ("grid_worker", tree.grid_a1, "19900000005"),
    ):
        user = make_user(
            perms=perms if username == "street_staff" else (), scope=[scope], username=username
        )
        user.phone = phone
        user.save()


def _fingerprint():
    return sorted(
        (r.directive.title, r.recipient.username, r.state, r.sms.status if r.sms else "")
        for r in DirectiveReceipt.objects.select_related("directive", "recipient", "sms")
    )


def test_every_receipt_state_and_a_failed_sms(demo_staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        counts = generate_demo_directives(random.Random(3))
    for state in ("unread", "read", "acknowledged", "answered", "overdue", "sms_failed"):
        assert counts[state] >= 1, state
    assert counts["total"] == 6
    first = _fingerprint()
    assert ("安全生产大检查", "grid_worker", "unread", "failed") in first
    DirectiveReceipt.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        generate_demo_directives(random.Random(3))
    assert _fingerprint() == first
