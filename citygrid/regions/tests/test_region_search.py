"""The region picker's search: the user's territory only, few rows, never a boundary."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citygrid.people.filtersets import PersonFilterSet
from citygrid.regions.widgets import GOVERNMENT_LEVELS, RegionPicker

pytestmark = pytest.mark.django_db
SEARCH = "/territory/regions/search/"


def codes(response) -> list[str]:
    return [r["code"] for r in response.json()["results"]]


def test_a_county_user_never_finds_another_countys_region(tree, client, make_user):
    client.force_login(make_user(scope=[tree.county_a]))
    assert codes(client.get(SEARCH, {"q": "乙"})) == []
    assert codes(client.get(SEARCH, {"q": "330102"})) == []
    assert codes(client.get(SEARCH, {"q": "网格"})) == ["330101001001001", "330101001001002"]


def test_code_digits_search_the_subtree_and_levels_narrow_it(tree, client, make_user):
    client.force_login(make_user(superuser=True))
    assert codes(client.get(SEARCH, {"q": "330102"})) == [
        "330102",
        "330102001",
        "330102001001",
        "330102001001001",
    ]
    assert codes(client.get(SEARCH, {"q": "3301", "levels": "county,nonsense"})) == [
        "330101",
        "330102",
    ]


def test_results_carry_a_label_and_no_geometry(tree, client, make_user):
    client.force_login(make_user(superuser=True))
    with CaptureQueriesContext(connection) as queries:
        result = client.get(SEARCH, {"q": "甲一"}).json()["results"]
    assert result == [
        {
            "id": tree.grid_a1.pk,
            "code": "330101001001001",
            "name": "甲一网格",
            "level": "grid",
            "text": "甲一网格（网格 330101001001001）",
        }
    ]
    region_sql = [q["sql"] for q in queries if "regions_region" in q["sql"]][-1]
    assert "boundary" not in region_sql and "LIMIT 20" in region_sql


def test_search_needs_a_login(tree, client):
    assert client.get(SEARCH, {"q": "甲"}).status_code == 302


def test_the_person_filter_renders_only_the_chosen_region(tree, rf, make_user):
    request = rf.get("/", {"region": tree.grid_a2.pk})
    request.user = make_user(superuser=True)
    filterset = PersonFilterSet(request.GET, request=request)
    widget = filterset.form.fields["region"].widget
    assert isinstance(widget, RegionPicker) and filterset.is_valid()
    with CaptureQueriesContext(connection) as queries:
        html = str(filterset.form["region"])
    assert len(queries) == 1 and "boundary" not in queries[0]["sql"]
    assert 'data-region-picker=""' in html
    assert 'data-search-url="/territory/regions/search/"' in html
    assert html.count("<option") == 2  # the empty choice and the chosen grid, not all nine
    assert f'<option value="{tree.grid_a2.pk}" selected>甲二网格（网格 330101001001002）' in html


def test_a_picked_region_outside_the_scope_is_refused(tree, rf, make_user):
    request = rf.get("/", {"region": tree.grid_b1.pk})
    request.user = make_user(perms=["people.view_person"], scope=[tree.county_a])
    filterset = PersonFilterSet(request.GET, request=request)
    assert not filterset.is_valid() and "region" in filterset.errors


def _forms():
    from citygrid.accounts.forms import UserForm
    from citygrid.cases.forms import DepartmentForm, DispatchRuleForm, TaskForm, VisitForm
    from citygrid.housing.forms import BuildingForm, EstateForm, HouseForm
    from citygrid.orgs.forms import OrgUnitForm
    from citygrid.people.forms.groups import CustodianAssignmentForm
    from citygrid.people.forms.persons import PersonForm
    from citygrid.regions.forms import GridWorkerForm, RegionForm
    from citygrid.units.forms import UnitForm

    grid, community, government = {"grid"}, {"community", "grid"}, set(GOVERNMENT_LEVELS)
    return [
        (UserForm, "scope_regions", None),
        (DepartmentForm, "region", government),
        (DispatchRuleForm, "region", None),
        (TaskForm, "region", grid),
        (VisitForm, "region", grid),
        (EstateForm, "region", community),
        (BuildingForm, "region", grid),
        (HouseForm, "region", grid),
        (CustodianAssignmentForm, "region", government),
        (PersonForm, "region", community),
        (GridWorkerForm, "region", grid),
        (RegionForm, "parent", government),
        (UnitForm, "region", {"grid", "community", "village_group"}),
        (OrgUnitForm, "region", None),
    ]


@pytest.mark.parametrize("form_class, name, levels", _forms())
def test_every_region_field_is_a_picker_that_loads_no_region(
    form_class, name, levels, tree, make_user, django_assert_num_queries
):
    """A select of every region in scope would read thousands of rows (and their boundaries)
    on each form: the picker renders none until one is chosen, and searches the levels the
    field accepts, which are also all it validates."""
    form = form_class(user=make_user(scope=[tree.city]))
    field = form.fields[name]
    assert isinstance(field.widget, RegionPicker)
    with django_assert_num_queries(0):
        html = str(form[name])
    assert "<option" not in html.replace('<option value="" selected>', "")
    accepted = set(field.queryset.values_list("level", flat=True).distinct())
    if levels is None:
        assert "data-levels" not in html
    else:
        assert accepted <= levels and f'data-levels="{",".join(field.widget.levels)}"' in html
        assert set(field.widget.levels) == levels
