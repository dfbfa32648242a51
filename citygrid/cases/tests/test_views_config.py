"""Workflow configuration pages: departments (generic record tests), categories, the dispatch
matrix, time limits and the working calendar."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from citygrid.cases import actions
from citygrid.cases.calendar import current_calendar, reset_calendar_cache
from citygrid.cases.models import (
    CalendarDay,
    CaseCategory,
    Department,
    DispatchRule,
    TimeLimit,
    WorkingPeriod,
)
from citygrid.cases.tests.conftest import MONDAY_10
from citygrid.core.testing import (
    ApiReadTests,
    ApiWritesRefusedTests,
    ExportTests,
    ImportTests,
    PageTests,
)

pytestmark = pytest.mark.django_db


class TestDepartmentRecords(
    PageTests, ExportTests, ImportTests, ApiReadTests, ApiWritesRefusedTests
):
    """The departments API is read-only: departments are configured on the web."""

    model = Department
    api_basename = "department"
    edited_field = "name"

    def in_scope(self, tree):
        return Department.objects.create(name="甲区城管局", code="A-CG", region=tree.county_a)

    def out_of_scope(self, tree):
        return Department.objects.create(name="乙区城管局", code="B-CG", region=tree.county_b)

    def form_data(self, tree):
        return {
            "region": tree.township_a.pk,
            "name": "甲街道城管科",
            "code": "A1-CG",
            "active": "on",
        }

    def outside_form_data(self, tree):
        return {**self.form_data(tree), "region": tree.township_b.pk}

    def edit_data(self, tree, obj):
        return {
            "region": obj.region_id,
            "name": "甲区综合执法局",
            "code": obj.code,
            "active": "on",
        }, ("甲区综合执法局")

    def import_rows(self, tree):
        return [
            {"部门代码": "IMP-1", "部门名称": "甲区水务局", "区域代码": tree.county_a.code},
            {
                "部门代码": "IMP-2",
                "部门名称": "甲街道环卫所",
                "区域代码": tree.township_a.code,
                "启用": "否",
            },
        ]

    def bad_import_rows(self, tree):
        rows = self.import_rows(tree)
        rows.append({"部门代码": "IMP-3", "部门名称": "无区域", "区域代码": "999999"})
        return rows, "区域代码"

    def export_marker(self, obj):
        return obj.code


def test_department_page_lists_members_rules_and_open_cases(client, setup, report):
    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    actions.dispatch_case(case, actor=setup.dispatcher, now=MONDAY_10)
    setup.dispatcher.roles.first().permissions.add(
        *Permission.objects.filter(codename__in=["view_department", "view_dispatchrule"])
    )
    client.force_login(setup.dispatcher)
    response = client.get(setup.department.get_absolute_url())
    assert response.status_code == 200
    assert [m.username for m in response.context["members"]] == ["handler"]
    assert [r.category for r in response.context["rules"]] == [setup.category]
    assert response.context["open_cases"] == 1


@pytest.fixture
def admin_user(make_user, tree):
    perms = [
        f"cases.{action}_{model}"
        for model in ("casecategory", "dispatchrule", "timelimit", "calendarday", "workingperiod")
        for action in ("view", "add", "change", "delete")
    ] + ["cases.view_department"]
    return make_user(perms=perms, scope=[tree.county_a])


def test_category_page_shows_the_matrix_row_by_region(client, setup, tree, admin_user):
    department_a = Department.objects.create(name="甲区城管", code="A-CG", region=tree.county_a)
    department_b = Department.objects.create(name="乙区城管", code="B-CG", region=tree.county_b)
    in_a = DispatchRule.objects.create(
        category=setup.category, region=tree.county_a, department=department_a
    )
    DispatchRule.objects.create(
        category=setup.category, region=tree.county_b, department=department_b
    )
    client.force_login(admin_user)
    response = client.get(setup.category.get_absolute_url())
    assert list(response.context["rules"]) == [in_a]  # the city's rule and county B's are outside
    assert "甲区城管" in response.content.decode() and "乙区城管" not in response.content.decode()
    major = client.get(setup.category.parent.get_absolute_url())
    assert setup.category in list(major.context["children"])


def test_category_form_checks_codes(client, admin_user):
    major = CaseCategory.objects.get(kind="event", code="05")
    client.force_login(admin_user)
    data = {"kind": "event", "parent": major.pk, "code": "0699", "name": "错码", "active": "on"}
    response = client.post(reverse("cases:casecategory_add"), data)
    assert response.context["form"].errors["code"] == ["小类代码应为以 05 开头的4位数字"]
    response = client.post(reverse("cases:casecategory_add"), {**data, "code": "0598"})
    assert response.status_code == 302
    assert CaseCategory.objects.get(kind="event", code="0598").parent == major


def test_dispatch_rule_form_is_scoped_and_minor_only(client, setup, tree, admin_user):
    department_a = Department.objects.create(name="甲区城管", code="A-CG", region=tree.county_a)
    department_b = Department.objects.create(name="乙区城管", code="B-CG", region=tree.county_b)
    client.force_login(admin_user)
    response = client.get(reverse("cases:dispatchrule_add"), {"category": setup.category.pk})
    form = response.context["form"]
    assert form.initial["category"] == str(setup.category.pk)
    assert set(form.fields["department"].queryset) == {department_a}
    assert tree.county_b not in form.fields["region"].queryset
    data = {
        "category": setup.category.pk,
        "region": tree.county_a.pk,
        "department": department_b.pk,
    }
    response = client.post(reverse("cases:dispatchrule_add"), data)
    assert "department" in response.context["form"].errors
    response = client.post(
        reverse("cases:dispatchrule_add"), {**data, "category": setup.category.parent.pk}
    )
    assert "category" in response.context["form"].errors
    response = client.post(
        reverse("cases:dispatchrule_add"), {**data, "department": department_a.pk}
    )
    assert response.status_code == 302
    rule = DispatchRule.objects.get(region=tree.county_a)
    assert (rule.category, rule.department) == (setup.category, department_a)
    response = client.get(reverse("cases:dispatchrule_list"), {"category": setup.category.pk})
    assert [row.record for row in response.context["table"].page.object_list] == [rule]


def test_time_limit_create_and_list(client, setup, admin_user):
    client.force_login(admin_user)
    data = {
        "category": setup.category.pk,
        "urgency": "urgent",
        "step": "handle",
        "amount": "2",
        "unit": "working_hours",
    }
    assert client.post(reverse("cases:timelimit_add"), data).status_code == 302
    limit = TimeLimit.objects.get()
    response = client.post(reverse("cases:timelimit_add"), data)
    assert response.context["form"].errors["__all__"] == ["该小类此紧急程度的环节时限已存在"]
    page = client.get(limit.get_absolute_url()).content.decode()
    assert "处置" in page and "工作时" in page
    response = client.get(reverse("cases:timelimit_list"), {"step": "handle"})
    assert [row.record for row in response.context["table"].page.object_list] == [limit]


def test_calendar_edit_changes_the_working_calendar(client, admin_user):
    reset_calendar_cache()
    client.force_login(admin_user)
    saturday = date(2027, 1, 9)
    assert not current_calendar().is_workday(saturday)
    data = {"date": saturday.isoformat(), "is_workday": "on", "note": "调休上班"}
    assert client.post(reverse("cases:calendarday_add"), data).status_code == 302
    day = CalendarDay.objects.get(date=saturday)
    assert current_calendar().is_workday(saturday)
    assert client.post(reverse("cases:calendarday_delete", args=[day.pk])).status_code == 302
    assert not current_calendar().is_workday(saturday)
    reset_calendar_cache()


def test_working_period_form_refuses_end_before_start(client, admin_user):
    client.force_login(admin_user)
    before = WorkingPeriod.objects.count()
    response = client.post(reverse("cases:workingperiod_add"), {"start": "18:00", "end": "17:00"})
    assert response.context["form"].errors["__all__"] == ["结束时间必须晚于开始时间"]
    assert WorkingPeriod.objects.count() == before
    page = client.get(reverse("cases:workingperiod_list")).content.decode()
    assert "08:30" in page and "节假日与调休" in page


@pytest.mark.parametrize(
    "name",
    [
        "cases:casecategory_list",
        "cases:department_list",
        "cases:dispatchrule_list",
        "cases:timelimit_list",
        "cases:calendarday_list",
        "cases:workingperiod_list",
        "cases:supervisionorder_list",
        "cases:task_list",
        "cases:visit_list",
        "cases:case_list",
        "cases:casecategory_add",
        "cases:department_add",
        "cases:dispatchrule_add",
        "cases:timelimit_add",
        "cases:calendarday_add",
        "cases:workingperiod_add",
        "cases:task_add",
        "cases:visit_add",
        "cases:case_add",
        "cases:desk",
        "cases:map",
    ],
)
def test_every_page_renders_for_an_administrator(client, tree, make_user, name):
    client.force_login(make_user(superuser=True))
    assert client.get(reverse(name)).status_code == 200


def test_menu_links_the_case_pages(client, setup):
    client.force_login(setup.dispatcher)
    html = client.get("/").content.decode()
    for name in ("cases:desk", "cases:case_add", "cases:case_list", "cases:map"):
        assert f'href="{reverse(name)}"' in html
    assert reverse("cases:casecategory_list") not in html  # no permission, no menu item


def test_every_detail_page_renders(client, setup, report, tree, make_user):
    case = report()
    rule = DispatchRule.objects.get(category=setup.category)
    limit = TimeLimit.objects.create(
        category=setup.category, urgency="normal", step="handle", amount=3, unit="working_days"
    )
    day = CalendarDay.objects.create(date=date(2027, 2, 1), is_workday=False, note="测试假日")
    period = WorkingPeriod.objects.first()
    client.force_login(make_user(superuser=True))
    pages = {
        reverse("cases:dispatchrule", args=[rule.pk]): "城管执法局",
        reverse("cases:timelimit", args=[limit.pk]): "工作日",
        reverse("cases:calendarday", args=[day.pk]): "测试假日",
        reverse("cases:workingperiod", args=[period.pk]): f"{period.start:%H:%M}",
        reverse("cases:case_changelog", args=[case.pk]): case.number,
        reverse("cases:casecategory_changelog", args=[setup.category.pk]): "占道施工",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url
    reset_calendar_cache()


def test_a_departments_handlers_are_searched_in_the_keepers_territory(client, tree, make_user):
    keeper = make_user(perms=["cases.change_department"], scope=[tree.county_a])
    inside = make_user(scope=[tree.township_a])
    inside.full_name = "周处置"
    inside.save()
    beside = make_user(scope=[tree.county_b])
    beside.full_name = "周乙区"
    beside.save()
    client.force_login(keeper)
    url = reverse("cases:department_account_search")
    assert [r["text"] for r in client.get(url, {"q": "周"}).json()["results"]] == [
        f"周处置（{inside.username}）"
    ]
    client.force_login(make_user(perms=["cases.view_department"], scope=[tree.county_a]))
    assert client.get(url, {"q": "周"}).status_code == 403
