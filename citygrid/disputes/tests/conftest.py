"""Fixtures for the dispute workflow: the centre, a handling body at the township, and one
verifier at each verifying level (community, township, county)."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
# A Monday in office hours, in a week without holidays.
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)

VIEW = ["disputes.view_dispute"]
CENTRE_PERMS = [
    *VIEW,
    "disputes.add_dispute",
    "disputes.assess_dispute",
    "disputes.dispatch_dispute",
    "disputes.archive_dispute",
    "disputes.supervise_dispute",
]
HANDLER_PERMS = [
    *VIEW,
    "disputes.mediate_dispute",
    "cases.view_supervisionorder",
    "cases.answer_supervisionorder",
]
VERIFIER_PERMS = [*VIEW, "disputes.verify_dispute"]


@dataclass
class Setup:
    tree: object
    department: object
    county_department: object
    centre: object
    handler: object
    community: object
    township: object
    county: object
    outsider: object
    leader: object


@pytest.fixture
def setup(tree, make_user) -> Setup:
    from citygrid.cases.models import Department

    department = Department.objects.create(
        name="甲街道司法所", code="SF01", region=tree.township_a, phone="13800000009"
    )
    county_department = Department.objects.create(
        name="甲区人社局", code="RS01", region=tree.county_a
    )
    handler = make_user(perms=HANDLER_PERMS, scope=[tree.township_a], username="mediator")
    department.members.add(handler)
    return Setup(
        tree=tree,
        department=department,
        county_department=county_department,
        centre=make_user(perms=CENTRE_PERMS, scope=[tree.county_a], username="centre"),
        handler=handler,
        community=make_user(perms=VERIFIER_PERMS, scope=[tree.community_a], username="community"),
        township=make_user(perms=VERIFIER_PERMS, scope=[tree.township_a], username="township"),
        county=make_user(perms=VERIFIER_PERMS, scope=[tree.county_a], username="county"),
        outsider=make_user(perms=CENTRE_PERMS, scope=[tree.county_b], username="outsider"),
        leader=make_user(
            perms=[*VIEW, "disputes.receive_urgent_dispute"],
            scope=[tree.county_a],
            username="leader",
        ),
    )


@pytest.fixture
def register(setup):
    """register(**overrides) → a new dispute in grid A1, registered by the centre at MONDAY_10,
    with one applicant and one respondent."""
    from citygrid.disputes.intake import Party, Registration, register_dispute

    def make(actor=None, now=MONDAY_10, parties=None, **overrides):
        fields = {
            "region": setup.tree.grid_a1,
            "category": "11",  # 邻里
            "title": "邻里漏水纠纷",
            "description": "楼上漏水致楼下墙面受损，双方就赔偿协商未果",
            "address": "甲社区3幢",
            "people_count": 2,
        }
        fields.update(overrides)
        if parties is None:
            parties = [
                Party(side="applicant", name="张三", phone="13900000001", id_number=""),
                Party(side="respondent", name="李四", phone="13900000002"),
            ]
        return register_dispute(
            Registration(parties=parties, **fields), actor=actor or setup.centre, now=now
        )

    return make
