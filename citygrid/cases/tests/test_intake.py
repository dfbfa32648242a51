"""The intake service every channel shares."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from citygrid.cases.models import Case, CaseAttachment, CaseEvent
from citygrid.cases.tests.conftest import MONDAY_10, jpeg
from citygrid.core.errors import ActionError
from citygrid.regions.geo.transforms import wgs84_to_gcj02

pytestmark = pytest.mark.django_db


def test_grid_is_found_and_the_report_event_written(setup, report, tree):
    case = report(
        photos=[jpeg(), jpeg("b.jpg")], reporter_name="张三", reporter_phone="138 1234 5678"
    )
    assert case.region == tree.grid_a1 and case.region_code == tree.grid_a1.code
    assert case.kind == "event" and case.channel == "web"
    assert case.masked("reporter_phone") == "138****5678"
    assert Case.objects.get(pk=case.pk).reporter_phone == "13812345678"
    event = CaseEvent.objects.get(case=case)
    assert (event.action, event.to_state, event.actor) == ("report", "reported", setup.dispatcher)
    assert event.attachments.filter(stage="before").count() == 2


def test_numbers_follow_the_day(setup, report):
    assert [report().number for _ in range(3)] == [
        "2026030200001",
        "2026030200002",
        "2026030200003",
    ]


def test_gcj02_positions_are_converted(setup, report, tree):
    lng, lat = wgs84_to_gcj02(120.015, 30.005)
    case = report(lng=lng, lat=lat, crs="gcj02")
    assert case.region == tree.grid_a2
    assert case.lng == pytest.approx(120.015, abs=1e-6)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"lng": 121.5, "lat": 31.0}, "outside_grids"),
        ({"description": "  "}, "description_required"),
        ({"reporter_phone": "12345"}, "invalid_phone"),
        ({"urgency": "whenever"}, "invalid_urgency"),
        ({"photos": [SimpleUploadedFile("x.jpg", b"not an image")]}, None),
    ],
)
def test_bad_reports_create_nothing(setup, report, overrides, code):
    from django.core.exceptions import ValidationError

    with pytest.raises((ActionError, ValidationError)) as info:
        report(**overrides)
    if code:
        assert info.value.code == code
    assert not Case.objects.exists() and not CaseAttachment.objects.exists()


def test_major_class_is_refused(setup, report):
    with pytest.raises(ActionError, match="请选择有效的事部件小类"):
        report(category=setup.category.parent)


def test_out_of_scope_position_is_refused(setup, report):
    with pytest.raises(ActionError) as info:
        report(actor=setup.inspector, lng=120.105)  # grid B1, outside county A
    assert info.value.code == "out_of_scope" and not Case.objects.exists()


def test_idempotency_key_never_makes_a_second_case(setup, report):
    first = report(idempotency_key="phone-42-0001")
    again = report(idempotency_key="phone-42-0001", description="重发")
    assert again.pk == first.pk and Case.objects.count() == 1


def assert_refused_without_a_trace(info, case):
    """The refusal for a key held by a case the caller may not see: coded, and silent about
    what holds the key."""
    error = info.value
    assert (error.code, error.status) == ("idempotency_key_conflict", 409)
    assert "事件" not in error.message and "案件" not in error.message
    assert case.number not in error.message
    assert Case.objects.count() == 1


def test_a_key_of_another_county_returns_nothing(setup, report):
    """County B's dispatcher cannot read county A's case by posting its key (desk and API)."""
    case = report(idempotency_key="phone-42-0001")
    with pytest.raises(ActionError) as info:
        report(actor=setup.outsider, idempotency_key="phone-42-0001", lng=120.105)
    assert_refused_without_a_trace(info, case)


def test_a_key_returns_its_case_to_anyone_who_may_see_it(setup, report):
    case = report(idempotency_key="phone-42-0001")
    assert report(actor=setup.inspector, idempotency_key="phone-42-0001").pk == case.pk


def test_a_public_channel_retry_returns_its_own_case(setup, report):
    first = report(actor=AnonymousUser(), channel="wechat", idempotency_key="wechat-abc")
    again = report(actor=AnonymousUser(), channel="wechat", idempotency_key="wechat-abc")
    assert again.pk == first.pk and first.reporter is None


@pytest.mark.parametrize("channel", ["web", "wechat"])
def test_a_public_channel_cannot_read_a_staff_case_by_its_key(setup, report, channel):
    case = report(channel=channel, idempotency_key="shared-key")  # filed by the dispatcher
    with pytest.raises(ActionError) as info:
        report(actor=AnonymousUser(), channel=channel, idempotency_key="shared-key")
    assert_refused_without_a_trace(info, case)


def test_a_public_channel_cannot_read_another_channels_case(setup, report):
    case = report(actor=AnonymousUser(), channel="web", idempotency_key="portal:abc")
    with pytest.raises(ActionError) as info:
        report(actor=AnonymousUser(), channel="wechat", idempotency_key="portal:abc")
    assert_refused_without_a_trace(info, case)


def test_a_key_taken_after_the_check_is_answered_as_a_repeat(setup, report, monkeypatch):
    """Two submits of one key at once: the later one's insert fails, and it gets the case the
    other made (or the refusal), never a raw database error."""
    from citygrid.cases import intake

    first = report(idempotency_key="phone-42-0001")
    check = intake.earlier_case
    calls = []

    def first_check_misses(report, actor):
        calls.append(actor)
        return None if len(calls) == 1 else check(report, actor)

    monkeypatch.setattr(intake, "earlier_case", first_check_misses)
    assert report(idempotency_key="phone-42-0001").pk == first.pk
    calls.clear()
    with pytest.raises(ActionError) as info:
        report(actor=setup.outsider, idempotency_key="phone-42-0001", lng=120.105)
    assert_refused_without_a_trace(info, first)


def test_duplicates_within_50_m_of_the_same_class_are_flagged(setup, report):
    first = report()
    far = report(lng=120.0060)  # ≈ 96 m east
    near = report(lng=120.0053)  # ≈ 29 m from the first, 67 m from the far one
    other_class = report(category=setup.other_category)
    assert near.possible_duplicate_of == first
    assert far.possible_duplicate_of is None
    assert other_class.possible_duplicate_of is None


def test_report_starts_the_register_clock(setup, report):
    case = report(now=MONDAY_10)
    assert case.step == "register" and case.step_started == MONDAY_10
