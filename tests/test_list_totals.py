"""Every list page's footer says how many records the list holds: 共 0 条, 共 1 条, 共 2 条 on a
list of two pages. The lists are found in the URL conf (every `ObjectListView`), so a list added
later is checked by itself; the rows are a small demo city's, narrowed to a known number."""

import re
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from citygrid.core.views.generic import ObjectListView
from citygrid.demo.testing import small_demo_city

pytestmark = pytest.mark.django_db

TOTAL = re.compile(r'<span class="text-secondary" id="list-total"[^>]*>([^<]*)</span>')


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def list_pages() -> list[tuple[str, type[ObjectListView]]]:
    """(path, view) of every list page that takes no argument."""
    found = {}
    for route, pattern in _patterns(get_resolver()):
        view = getattr(pattern.callback, "view_class", None)
        if view and issubclass(view, ObjectListView) and not pattern.pattern.regex.groupindex:
            found["/" + route.replace("^", "").replace("$", "")] = view
    return sorted(found.items())


LISTS = list_pages()


def _extra_rows(city) -> None:
    """Two rows of each type the demo city does not make twice, through the write path where
    the type is change-logged (which also gives the change log its rows)."""
    from citygrid.accounts.models import User
    from citygrid.cases.models import CaseCategory, Department, SupervisionOrder, Visit
    from citygrid.core import dictionaries
    from citygrid.core.models import AccessLog
    from citygrid.core.testing import logged
    from citygrid.housing.models import HazardCheck, House
    from citygrid.integrations.open311.models import ApiClient, ServiceAttribute
    from citygrid.notify.models import SmsMessage, SmsTemplate
    from citygrid.people.models import AtRiskYouth, KeyPerson, Person
    from citygrid.portal.models import BlockedIp, BlockedPhone
    from citygrid.regions.models import Region

    now = timezone.now()
    issuer = User.objects.filter(is_superuser=True).first() or User.objects.order_by("pk").first()
    grid = Region.objects.filter(level="grid").order_by("code").first()
    house = House.objects.filter(region=grid).first() or House.objects.first()
    people = list(Person.objects.filter(region=grid).order_by("pk")[:4])
    minor = CaseCategory.objects.minor().order_by("code").first()
    template = SmsTemplate.objects.order_by("pk").first()
    from citygrid.disputes.intake import Party, Registration, register_dispute
    from citygrid.disputes.models import DisputeReport

    for n in (1, 2):
        day = now.date() - timedelta(days=n)
        logged(
            DisputeReport,
            region=grid,
            kind="daily",
            period_start=day,
            period_end=day,
            content={"new": {"total": n}},
        )
        register_dispute(
            Registration(
                region=grid,
                category="11",
                title=f"邻里纠纷{n}",
                description="噪音扰民",
                parties=[Party(side="applicant", name=f"申请人{n}")],
            ),
            actor=issuer,
        )
        logged(
            SupervisionOrder,
            region=grid,
            department=Department.objects.order_by("pk").first(),
            required_by=now + timedelta(days=n),
            instructions=f"督办事项{n}",
            issued_by=issuer,
        )
        logged(
            Visit,
            region=grid,
            visitor=issuer,
            target=f"走访对象{n}",
            visited_at=now,
            findings="正常",
        )
        logged(
            HazardCheck,
            region=house.region,
            house=house,
            checked_on=now.date(),
            inspector="检查员",
            result="passed",
        )
        logged(ServiceAttribute, category=minor, code=f"attr{n}", description=f"属性{n}")
        logged(ApiClient, name=f"接入方{n}", key_prefix=f"k{n}", key_hash=f"h{n}")
        AccessLog.objects.create(action="export", user_name="admin", detail=f"导出{n}")
        SmsMessage.objects.create(phone=f"1380000000{n}", template=template, text=f"短信{n}")
        BlockedIp.objects.create(ip=f"10.0.0.{n}", reason="恶意提交")
        BlockedPhone.objects.create(phone=f"1390000000{n}", reason="恶意提交")
    _extra_neworgs(grid)
    for person, model, code in zip(
        people,
        (AtRiskYouth, AtRiskYouth, KeyPerson, KeyPerson),
        ("youth_type", "youth_type", "key_person_type", "key_person_type"),
        strict=True,
    ):
        value = dictionaries.choices(code)[-1][0]
        logged(model, person=person, region=person.region, started_on=now.date(), type=value)
    from citygrid.units.models import Unit

    for n in (1, 2):
        logged(Unit, region=grid, name=f"单位{n}", unit_class="other")
    from citygrid.orgs.mirror import ensure_units
    from citygrid.orgs.models import OrgUnit, Staff

    ensure_units()  # the teams tree's units mirror the regions
    for n in (1, 2):
        logged(Staff, unit=OrgUnit.objects.order_by("pk").first(), name=f"成员{n}")


def _extra_neworgs(grid) -> None:
    from citygrid.core.testing import logged
    from citygrid.demo.neworgs import demo_credit_code
    from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord

    for n in (1, 2):
        org = logged(
            NewOrganisation,
            region=grid,
            name=f"两新组织{n}",
            kind="enterprise",
            uscc=demo_credit_code(n),
            head_name=f"负责人{n}",
        )
        logged(OrgBranch, organisation=org, kind="party")
        logged(Regulation, organisation=org, title=f"制度{n}")
        logged(WorkRecord, organisation=org, date=timezone.now().date(), content=f"工作{n}")


@pytest.fixture
def city(settings):
    city = small_demo_city(settings, seed=11, grids=(1, 1), cases=8, people=40)
    _extra_rows(city)
    return city


def test_the_list_pages_are_found():
    paths = {path for path, view in LISTS}
    assert {"/people/persons/", "/housing/rentals/", "/cases/", "/core/changes/"} <= paths
    assert len(LISTS) >= 30


def _rows(view, user):
    base = view.queryset if view.queryset is not None else view.model.objects.all()
    return base.all().restrict(user, "view")


@pytest.mark.parametrize(("path", "view"), LISTS, ids=[path for path, view in LISTS])
def test_the_footer_counts_the_rows(path, view, client, city, make_user, monkeypatch):
    user = make_user(superuser=True)
    client.force_login(user)
    rows = _rows(view, user)
    some = list(rows.order_by("pk").values_list("pk", flat=True)[:2])
    assert len(some) == 2, f"{path}: give the list two rows in _extra_rows()"
    original = view.get_queryset

    for count in (0, 1, 2):
        chosen = some[:count]

        def narrowed(self, action=None, chosen=chosen):
            return original(self, action).filter(pk__in=chosen)

        monkeypatch.setattr(view, "get_queryset", narrowed)
        response = client.get(path, {"per_page": 1})
        assert response.status_code == 200, path
        body = response.content.decode()
        assert TOTAL.findall(body) == [f"共 {count} 条"], (path, count)
        listing = response.context["listing"]
        assert len(listing.page.object_list) == min(count, 1)
        assert (listing.next_query is not None) == (count > 1), (path, count)
        assert ('rel="next" href=' in body) == (count > 1), (path, count)
