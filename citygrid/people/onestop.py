"""One-stop requests (一站式服务): a worker files a vulnerable person's need as a case.

The case goes through the same intake service as every other report, so it is numbered,
located, deduplicated and timed like any case. It carries no personal data: the description
names the category and links back to the person page (a URL with a record number only); the
people who handle the case open that page under their own permissions.
"""

from django.urls import reverse

from citygrid.cases.choices import Channel
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case, CaseCategory
from citygrid.core.errors import ActionError


def person_position(person) -> tuple[float, float]:
    """Where the person lives: the current home's point, else the centre of their grid."""
    residency = (
        person.residencies.filter(ended_on__isnull=True)
        .select_related("house__building")
        .order_by("-started_on")
        .first()
    )
    if residency is not None:
        position = residency.house.position()
        if position is not None:
            return position
    region = person.region
    if region.center_lng is None or region.center_lat is None:
        raise ActionError(
            "no_position", "该人员无现住房屋坐标，所在网格也未绘制边界，无法定位", 400
        )
    return region.center_lng, region.center_lat


def default_description(membership) -> str:
    return f"{membership.category_label()}帮扶诉求："


def submit_request(membership, *, category: CaseCategory, description: str, actor) -> Case:
    """File the request of a membership's person as a case reported by `actor`."""
    person = membership.person
    lng, lat = person_position(person)
    link = reverse("people:person", args=[person.pk])
    source = membership.category_label()
    text = f"{description.strip()}\n（一站式服务，来源：{source}，人员页面 {link}）"
    report = Report(
        category=category,
        description=text,
        lng=lng,
        lat=lat,
        channel=Channel.WEB,
    )
    return report_case(report, actor=actor)
