"""C0 control characters never reach the records outside the change log either.

Change-logged records are cleaned in `derive()`; the others (case events, held reports, channel
state, access logs) in their own `save()` (`core.text.StripControlsMixin`). Each is written here
through its real entry point, and a walk over every model catches a new one that is neither.
"""

import uuid

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone
from wechatpy import parse_message

from citygrid.cases import actions
from citygrid.cases.intake import Report
from citygrid.cases.models import Case, CaseEvent
from citygrid.cases.tests.conftest import report, setup  # noqa: F401 (re-exported fixtures)
from citygrid.core.models import AccessLog, ChangeLoggedModel
from citygrid.core.text import StripControlsMixin
from citygrid.integrations.open311.keys import issue_key
from citygrid.integrations.open311.models import ApiClient, ServiceRequest
from citygrid.integrations.wechat import conversation
from citygrid.integrations.wechat.models import Conversation
from citygrid.people.models import Person
from citygrid.portal import services as portal
from citygrid.portal.models import CitizenRating, HeldReport

pytestmark = pytest.mark.django_db

DIRTY = "甲\x01乙\x1f丙"
CLEAN = "甲乙丙"

# Text written by the system itself, never typed or sent by anyone: nothing to strip.
SYSTEM_TEXT = {
    "core.ObjectChange": "built by the change log from records already cleaned in derive()",
    "core.VersionStamp": "stamp names are constants in code",
    "core.PeriodicJob": "job names come from settings.PERIODIC_JOBS, task ids from the queue",
    "notify.Notification": "composed from templates and records that are already clean",
    "notify.SmsMessage": "template text with record values; the phone is normalised digits",
    "cases.CaseAttachment": "the stage is a choice set by code",
    "portal.VerificationCode": "a blind index and a hash",
    "wechat.ProcessedMessage": "WeChat's MsgId or our hash, and our own reply",
    "mobile.SubmittedAction": "an opaque key matched by equality with what the phone resends, "
    "never shown; the kind is a choice set by code",
    "cases.IndicatorDay": "counters keyed by region codes copied from cleaned cases",
    "cases.IndicatorMonth": "counters keyed by region codes copied from cleaned cases",
    "cases.IndicatorYear": "counters keyed by region codes copied from cleaned cases",
    "people.GridPopulation": "counts keyed by region codes and category keys set by code",
    "disputes.DisputeRollup": "counters keyed by codes and choices copied from cleaned disputes",
    "demo.SeedProgress": "the demo generator's checkpoint: its city code and a count",
    "units.LicenceWarning": "which expiry warning went out: a window choice set by code",
    "neworgs.MonthlyReportLine": "counts keyed by an organisation kind set by code",
}


def text_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("citygrid.")
        and any(
            isinstance(field, models.CharField | models.TextField)
            for field in model._meta.concrete_fields
        )
    ]


def test_every_model_with_text_strips_controls_or_writes_only_system_text():
    uncovered = {
        model._meta.label
        for model in text_models()
        if not issubclass(model, ChangeLoggedModel | StripControlsMixin)
    }
    assert uncovered == set(SYSTEM_TEXT)


def test_the_walk_sees_the_models_it_covers():
    labels = {model._meta.label for model in text_models()}
    covered = {"cases.CaseEvent", "portal.HeldReport", "portal.CitizenRating", "core.AccessLog"}
    assert covered | {"open311.ServiceRequest", "wechat.Conversation"} <= labels


def test_case_event_note_from_an_action(setup, report):  # noqa: F811
    case = report()
    actions.register_case(case, actor=setup.dispatcher, note=DIRTY)
    assert CaseEvent.objects.get(case=case, action="register").note == CLEAN


def test_held_report_and_its_review_note(client, tree, make_user, settings, setup):  # noqa: F811
    settings.PORTAL_REPORTS_PER_PHONE = 0
    data = {
        "category": setup.category.pk,
        "description": DIRTY,
        "lng": "120.005",
        "lat": "30.005",
        "address": DIRTY,
        "reporter_name": DIRTY,
        "reporter_phone": "13812345678",
        "token": uuid.uuid4().hex,
    }
    assert client.post(reverse("portal:report"), data).status_code == 302
    held = HeldReport.objects.get()
    assert (held.description, held.address, held.reporter_name) == (CLEAN, CLEAN, CLEAN)
    reviewer = make_user(perms=["portal.change_heldreport"], scope=[tree.county_a])
    portal.discard_held_report(held, actor=reviewer, note=DIRTY)
    held.refresh_from_db()
    assert held.review_note == CLEAN


def test_citizen_rating_comment(setup):  # noqa: F811
    case = portal.submit_report(
        Report(category=setup.category, description="路灯不亮", lng=120.005, lat=30.005)
    )
    Case.objects.filter(pk=case.pk).update(state="closed", closed_at=timezone.now())
    portal.rate_case(case, satisfaction=5, comment=DIRTY)
    assert CitizenRating.objects.get().comment == CLEAN
    assert CaseEvent.objects.get(case=case, action="evaluate").note == CLEAN


def test_open311_service_request(client, setup):  # noqa: F811
    api = ApiClient(name="12345 热线系统")
    key = issue_key(api)
    api.save()
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "event-0508",
            "lat": "30.005",
            "long": "120.005",
            "description": DIRTY,
            "device_id": DIRTY,
            "account_id": DIRTY,
            "email": "a\x01@example.com",
        },
    )
    assert response.status_code == 200, response.content
    request = ServiceRequest.objects.get()
    assert (request.device_id, request.account_id) == (CLEAN, CLEAN)
    assert request.email == "a@example.com"
    assert request.case.description == CLEAN


def test_wechat_conversation_state(settings, tree):
    # WeChat's XML cannot carry these characters; the conversation is still the one writer.
    settings.WECHAT_REPORT_WINDOW_MINUTES = 30
    message = parse_message(
        "<xml><ToUserName>gh_0123456789ab</ToUserName><FromUserName>o1</FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType>text</MsgType>"
        "<Content>x</Content><MsgId>1</MsgId></xml>"
    )
    message.content = DIRTY
    conversation.receive(message)
    assert Conversation.objects.get(openid="o1").description == CLEAN


def test_access_log_reason_from_the_reveal(client, tree, make_user):
    person = Person(region=tree.grid_a1, name="张三", id_number="330101199003071234")
    person.save()
    user = make_user(perms=["people.view_person"], scope=[tree.county_a], view_sensitive=True)
    client.force_login(user)
    url = reverse("people:person_reveal", args=[person.pk])
    assert client.post(url, {"reason": f"核实{DIRTY}"}).status_code == 200
    assert AccessLog.objects.get(action="view_sensitive").reason == f"核实{CLEAN}"
