"""Demo data that looks like a well-run city: a census-like age mix, people who left (流出),
safety checks on houses, a week of patrols for the demo grid worker, a mobile on every demo
account, and the login page listing the demo accounts (demo mode only)."""

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from shapely.geometry import Point, shape

from citygrid.accounts.models import User
from citygrid.cases.choices import TaskKind, TaskStatus
from citygrid.cases.models import Task
from citygrid.core.validators import normalize_mobile
from citygrid.demo.people import generate_demo_people
from citygrid.demo.regions import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DemoSize,
    create_demo_accounts,
    generate_demo_city,
)
from citygrid.demo.tasks import DAYS_AHEAD, DAYS_BACK, create_demo_patrols
from citygrid.housing.choices import CheckResult
from citygrid.housing.models import HazardCheck, Rental
from citygrid.people.choices import FloatDirection
from citygrid.people.models import FloatingDetail, Person
from citygrid.regions.choices import WorkerRole
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
SMALL = DemoSize(counties=2, townships=(2, 2), communities=(2, 2), grids=(2, 3))


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    settings.DEMO_MODE = True


@pytest.fixture
def people(tree):
    return generate_demo_people(tree.city, seed=5, count=1000, today=TODAY)


@pytest.fixture
def city(db):
    city = generate_demo_city(seed=11, size=SMALL).city
    create_demo_accounts(city)
    return city


def _age(born: date) -> int:
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


def test_the_age_mix_looks_like_a_census(people):
    ages = [_age(b) for b in Person.objects.values_list("birth_date", flat=True)]
    share = {
        "children": sum(a < 15 for a in ages) / len(ages),
        "elderly": sum(a >= 60 for a in ages) / len(ages),
        "oldest": sum(a >= 80 for a in ages) / len(ages),
    }
    # 2020 census: 0–14 17.95 %, 60+ 18.70 %, 80+ 2.54 %.
    assert 0.12 <= share["children"] <= 0.24, share
    assert 0.13 <= share["elderly"] <= 0.25, share
    assert share["oldest"] <= 0.05, share


def test_some_floating_residents_left_within_the_year(people):
    outflow = FloatingDetail.objects.filter(direction=FloatDirection.OUTFLOW)
    floating = FloatingDetail.objects.count()
    assert 0.05 * floating <= outflow.count() <= 0.2 * floating
    for detail in outflow:
        assert detail.destination
        assert TODAY - timedelta(days=360) <= detail.registered_on <= TODAY
        detail.full_clean()  # an outflow needs its destination


def test_rentals_and_some_other_houses_have_safety_checks(people):
    checks = HazardCheck.objects.select_related("house")
    assert checks.count() == people.hazard_checks > 0
    rented = set(Rental.objects.values_list("house_id", flat=True))
    per_house = Counter(c.house_id for c in checks)
    assert rented <= set(per_house)
    assert set(per_house) - rented  # and some houses that are not rented
    assert max(per_house.values()) <= 2
    results = Counter(c.result for c in checks)
    assert set(results) == set(CheckResult.values)
    assert results[CheckResult.PASSED] > results[CheckResult.RECTIFIED] > 0
    for check in checks:
        assert check.region_code == check.house.region_code
        assert TODAY - timedelta(days=365) <= check.checked_on <= TODAY
        check.full_clean()  # a hazard named whenever one was found, a date to fix it by


def test_every_demo_account_has_its_own_mobile(city):
    users = User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    phones = [normalize_mobile(u.phone) for u in users]
    assert len(phones) == len(DEMO_ACCOUNTS) == len(set(phones))
    # The grid worker's account and post carry the same number.
    post = GridWorker.objects.get(user__username="grid_worker")
    assert users.get(username="grid_worker").phone == post.phone


def test_the_demo_grid_worker_has_a_week_of_patrols(city):
    moment = timezone.make_aware(datetime.combine(TODAY, time(9)))
    count = create_demo_patrols(seed=11, now=moment)
    worker = User.objects.get(username="grid_worker")
    tasks = Task.objects.filter(assignee=worker, kind=TaskKind.PATROL)
    assert count == tasks.count() == DAYS_BACK + DAYS_AHEAD
    post = GridWorker.objects.get(user=worker, role=WorkerRole.GRID_WORKER)
    grid = shape(post.region.boundary)
    statuses = Counter()
    for task in tasks:
        statuses[task.status] += 1
        assert task.region_id == post.region_id and task.region_code == post.region.code
        assert task.checkpoints and all(
            grid.contains(Point(p["lng"], p["lat"])) for p in task.checkpoints
        )
        assert (task.status == TaskStatus.DONE) == (task.start_date < TODAY)
        assert (task.done_at is not None) == bool(task.result) == (task.status == TaskStatus.DONE)
    assert statuses == {TaskStatus.DONE: DAYS_BACK, TaskStatus.OPEN: DAYS_AHEAD}


def test_the_login_page_lists_every_demo_account_in_demo_mode(city, client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'id="demo-accounts"' in page
    for spec in DEMO_ACCOUNTS:
        assert f"<code>{spec.username}</code>" in page
    assert "区县调度员" in page and "超级管理员" in page
    assert f'<code id="demo-password">{DEMO_PASSWORD}</code>' in page


def test_the_login_page_lists_nothing_outside_demo_mode(city, client, settings):
    settings.DEMO_MODE = False
    page = client.get(reverse("accounts:login")).content.decode()
    assert "demo-accounts" not in page and DEMO_PASSWORD not in page
    assert "county_dispatcher" not in page
