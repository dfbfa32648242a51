"""The demo new organisations: deterministic, realistic coverage, and a working head account."""

import random
from datetime import date

import pytest

from citygrid.demo.neworgs import seed_neworgs
from citygrid.neworgs import coverage
from citygrid.neworgs.models import NewOrganisation, OrgBranch

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


def test_demo_organisations(tree, make_user):
    result = seed_neworgs(tree.city, random.Random(7), count=120, today=TODAY)
    assert NewOrganisation.objects.count() == result.organisations == 120
    assert 0 < result.closed < 20
    assert result.regulations > 0 and result.work_records > 0
    for org in NewOrganisation.objects.all():
        org.full_clean()  # valid as if typed in: credit code, filing level, dates
    leader = make_user(perms=["neworgs.view_neworganisation"], scope=[tree.city])
    total = coverage.compute(leader, tree.city).total
    for label, _, rate in total.rates():
        assert 40 <= float(rate.rstrip("%")) <= 85, (label, rate)
    # The head's account sees its one organisation, and its branches only.
    head = result.head
    assert list(NewOrganisation.objects.restrict(head)) == list(head.new_organisations.all())
    assert set(OrgBranch.objects.restrict(head).values_list("organisation", flat=True)) <= {
        head.new_organisations.get().pk
    }


def test_demo_is_deterministic(tree):
    names = []
    for _ in range(2):
        seed_neworgs(tree.city, random.Random(3), count=20, today=TODAY)
        names.append(list(NewOrganisation.objects.order_by("-pk").values_list("name", "kind")[:20]))
    assert names[0] == names[1]
    assert NewOrganisation.objects.values("uscc").distinct().count() == 40
