"""One case through the real UI, from the report form to the evaluation, by four accounts in four
browser contexts; what a user may not do is not offered; a position outside every grid is
refused on the report form."""

import re
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import expect

from citygrid.cases import actions
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case, DispatchRule, Task
from citygrid.cases.models import Department as CaseDepartment
from citygrid.cases.testing import street_order_class
from citygrid.cases.tests.conftest import DISPATCHER_PERMS, HANDLER_PERMS, INSPECTOR_PERMS
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.browser

# The call-taker who reports and dispatches; closing and evaluating belong to a fourth account.
# regions.view_region as in the default 区县调度员 role: the report form's map asks the regions
# API for the grid under the click and for the outlines.
REPORTER_PERMS = [
    p for p in DISPATCHER_PERMS if p not in ("cases.close_case", "cases.evaluate_case")
] + ["regions.view_region"]
CLOSER_PERMS = ["cases.view_case", "cases.close_case", "cases.evaluate_case"]
NO_ACTIONS = "当前没有您可以执行的操作。"


@dataclass
class Crew:
    category: object
    department: object
    reporter: object
    handler: object
    inspector: object
    closer: object
    outsider: object


@pytest.fixture
def crew(tree, make_user) -> Crew:
    """The minor class 占道施工 routed to 城管执法局 for the whole city, and the five accounts."""
    category = street_order_class("0508", "占道施工")
    department = CaseDepartment.objects.create(name="城管执法局", code="CG01", region=tree.city)
    DispatchRule.objects.create(category=category, department=department, region=tree.city)

    def person(username, full_name, perms, scope):
        user = make_user(perms=perms, scope=scope, username=username)
        user.full_name = full_name
        user.save(update_fields=["full_name"])
        return user

    handler = person("handler", "陈处置", HANDLER_PERMS, [tree.city])
    department.members.add(handler)
    inspector = person("inspector", "赵监督", INSPECTOR_PERMS, [tree.county_a])
    # A1's 监督员 gets the verification task the workflow creates after 处置反馈.
    worker = GridWorker(
        region=tree.grid_a1, name="赵监督", role="inspector", phone="13900002222", user=inspector
    )
    worker.full_clean()
    worker.save()
    return Crew(
        category=category,
        department=department,
        reporter=person("reporter", "刘受理", REPORTER_PERMS, [tree.city]),
        handler=handler,
        inspector=inspector,
        closer=person("closer", "孙主任", CLOSER_PERMS, [tree.city]),
        outsider=person("outsider", "钱乙区", DISPATCHER_PERMS, [tree.county_b]),
    )


def jpeg(path, colour):
    Image.new("RGB", (64, 48), colour).save(path, format="JPEG")
    return path


# --- the report form --------------------------------------------------------------------------


def open_report_form(page):
    page.goto("/cases/report/")
    # A function, not an expression: polling an expression needs eval, which the CSP forbids.
    page.wait_for_function("() => window.cgTestMaps && window.cgTestMaps.length === 1")
    # Let the outlines' first load land: it may fit the view to the user's territory once.
    page.wait_for_load_state("networkidle")


def click_map_at(page, lng, lat, zoom=15):
    """Show (lng, lat) in the picker's map and click it there, as a user would."""
    page.evaluate(
        "([lat, lng, zoom]) => cgTestMaps[0].setView([lat, lng], zoom, {animate: false})",
        [lat, lng, zoom],
    )
    # The move reloads the outlines; the first load with features may still fit the view.
    page.wait_for_load_state("networkidle")
    x, y = page.evaluate(
        "([lat, lng]) => { const p = cgTestMaps[0].latLngToContainerPoint([lat, lng]);"
        " return [p.x, p.y]; }",
        [lat, lng],
    )
    box = page.locator("#position-picker").bounding_box()
    assert 0 < x < box["width"] and 0 < y < box["height"], (x, y, box)
    page.mouse.click(box["x"] + x, box["y"] + y)


def choose_category(page, category):
    """Pick the minor class: Tom Select (long lists, e.g. the seeded classes) or a plain select.

    Tom Select keeps the focus after the choice and may take it back from a field filled right
    after (the text then lands in its search box): fill the text fields first, and click
    somewhere else (the map) next."""
    select = page.locator('#report-form select[name="category"]')
    if select.evaluate("el => Boolean(el.tomselect)"):
        page.locator('#report-form [data-field="category"] .ts-control').click()
        page.keyboard.type(category.name)
        option = page.locator(f'.ts-dropdown .option[data-value="{category.pk}"]')
        expect(option).to_contain_text(category.name)
        option.click()
    else:
        select.select_option(str(category.pk))
    expect(select).to_have_value(str(category.pk))


# --- the case page ----------------------------------------------------------------------------


def offered(page) -> set[str]:
    return set(
        page.locator("#case-actions [data-action]").evaluate_all(
            "buttons => buttons.map(b => b.dataset.action)"
        )
    )


def expect_state(page, label):
    expect(page.locator("#case-title [data-state]")).to_have_text(label)


def act(page, action, label, *, note=None, photo=None, satisfaction=None, check=None):
    """Open an action's form in the panel, fill it, `check(form)`, submit; the page reloads."""
    button = page.locator(f'#case-actions [data-action="{action}"]')
    expect(button).to_have_text(label)
    button.click()
    # Fully open (no longer "collapsing"), so that the submit button stays where it is clicked.
    expect(page.locator(f"#act-{action}")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    form = page.locator(f"#act-{action} form")
    if note is not None:
        form.locator('textarea[name="note"]').fill(note)
    if photo is not None:
        form.locator('input[name="photos"]').set_input_files(photo)
    if satisfaction is not None:
        form.locator('select[name="satisfaction"]').select_option(str(satisfaction))
    if check is not None:
        check(form)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page.locator(".alert-success")).to_contain_text(f"已执行“{label}”")
    expect(page.locator(".alert-danger")).to_have_count(0)


def open_from_desk(page, case, duties):
    """The case is in the user's 待办 with exactly these actions; open it from there."""
    page.goto("/cases/desk/")
    expect(page.locator('#desk-tabs .nav-link.active[data-tab="todo"]')).to_be_visible()
    row = page.locator(f'#desk-table tr[data-case="{case.number}"]')
    expect(row.locator("td").last.locator(".badge")).to_have_text(duties)
    with page.expect_navigation():
        row.locator(f'a:text-is("{case.number}")').click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))


# --- the journeys -----------------------------------------------------------------------------


def test_case_from_report_to_evaluation_by_four_users(page_as, crew, tree, tmp_path, server_paused):
    before = jpeg(tmp_path / "before.jpg", "red")
    after = jpeg(tmp_path / "after.jpg", "green")
    check = jpeg(tmp_path / "check.jpg", "blue")
    a1 = tree.grid_a1

    # (a) The call-taker reports the case from the phone call...
    reporter = page_as(crew.reporter, leaflet=True)
    open_report_form(reporter)
    description = reporter.locator('#report-form textarea[name="description"]')
    description.fill("人行道上堆放建材，占道施工")
    reporter.locator('#report-form input[name="address"]').fill("甲社区1号")
    choose_category(reporter, crew.category)
    click_map_at(reporter, a1.center_lng, a1.center_lat)
    status = reporter.locator("#position-status")
    expect(status).to_contain_text("所在网格：")
    expect(status).to_contain_text(f"甲一网格（{a1.code}）")
    assert float(reporter.locator("#id_lng").input_value()) == pytest.approx(a1.center_lng, 1e-4)
    assert float(reporter.locator("#id_lat").input_value()) == pytest.approx(a1.center_lat, 1e-4)
    reporter.locator('#report-form input[name="photos"]').set_input_files(before)
    expect(description).to_have_value("人行道上堆放建材，占道施工")
    with reporter.expect_navigation():
        reporter.locator('#report-form button[type="submit"]').click()

    with server_paused:
        case = Case.objects.get()
    expect(reporter).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(reporter.locator(".alert-success")).to_have_text(re.compile(f"已登记事件 {case.number}"))
    expect_state(reporter, "待受理")
    expect(reporter.locator("#case-details")).to_contain_text("甲一网格")
    assert (case.region, case.reporter, case.category) == (a1, crew.reporter, crew.category)
    assert offered(reporter) == {"register", "reject", "escalate", "merge"}

    # ...registers it and dispatches it to the department the matrix names.
    act(reporter, "register", "受理立案")
    expect_state(reporter, "待派遣")
    assert "dispatch" in offered(reporter)

    def matrix_department_is_chosen(form):
        expect(form.locator('select[name="department"]')).to_have_value(str(crew.department.pk))
        expect(form.locator('[data-field="department"] .form-hint')).to_have_text(
            "派遣规则：城管执法局"
        )

    act(reporter, "dispatch", "派遣", check=matrix_department_is_chosen)
    expect_state(reporter, "待签收")
    expect(reporter.locator("#case-details")).to_contain_text("城管执法局")

    # (b) The department's handler finds it on the desk, accepts it and reports back.
    handler = page_as(crew.handler)
    open_from_desk(handler, case, ["签收", "退回（非本部门职责）"])
    expect_state(handler, "待签收")
    assert offered(handler) == {"accept", "return"}
    act(handler, "accept", "签收")
    expect_state(handler, "处置中")
    assert offered(handler) == {"report_back", "return", "request_extension"}
    act(handler, "report_back", "处置反馈", note="建材已清运，恢复通行", photo=after)
    expect_state(handler, "待核查")
    expect(handler.locator("#case-actions")).to_contain_text(NO_ACTIONS)

    # (c) The grid's inspector has the verification task and checks on site.
    inspector = page_as(crew.inspector)
    with server_paused:
        task = Task.objects.get(case=case, kind="verification")
    assert (task.assignee_id, task.status) == (crew.inspector.pk, "open")
    open_from_desk(inspector, case, ["核查通过", "核查未通过（返工）"])
    assert offered(inspector) == {"verify_pass", "verify_fail"}
    act(inspector, "verify_pass", "核查通过", note="现场已恢复", photo=check)
    expect_state(inspector, "待结案")
    assert offered(inspector) == set()
    with server_paused:
        task.refresh_from_db()
    assert (task.status, task.result) == ("done", "通过")

    # (d) The supervisor closes it and records the caller's 5-star satisfaction.
    closer = page_as(crew.closer)
    open_from_desk(closer, case, ["结案"])
    assert offered(closer) == {"close"}
    act(closer, "close", "结案")
    expect_state(closer, "已结案")
    assert offered(closer) == {"evaluate"}
    act(closer, "evaluate", "评价", note="处置及时，满意", satisfaction=5)
    expect_state(closer, "已结案")
    expect(closer.locator("#case-details")).to_contain_text("5 分")
    expect(closer.locator("#case-actions")).to_contain_text(NO_ACTIONS)

    # The timeline: every step in order, by the account that took it.
    rows = closer.locator("#timeline tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.event)") == [
        "report",
        "register",
        "dispatch",
        "accept",
        "report_back",
        "verify_pass",
        "close",
        "evaluate",
    ]
    labels = [t.strip() for t in rows.locator("td:nth-child(2) strong").all_inner_texts()]
    assert labels == ["上报", "受理立案", "派遣", "签收", "处置反馈", "核查通过", "结案", "评价"]
    actors = [t.split("\n")[0].strip() for t in rows.locator("td:nth-child(3)").all_inner_texts()]
    assert actors == ["刘受理"] * 3 + ["陈处置"] * 2 + ["赵监督"] + ["孙主任"] * 2
    assert len(set(actors)) == 4
    expect(rows.nth(2)).to_contain_text("派遣至 城管执法局")
    expect(rows.nth(4)).to_contain_text("建材已清运，恢复通行")
    expect(rows.nth(7)).to_contain_text("满意度 5 分")

    # The photos: one thumbnail per stage on its event's row, served and decoded.
    with server_paused:
        case.refresh_from_db()
        thumbs = {p.stage: p.thumbnail.url for p in case.attachments.all()}
    assert (case.state, case.satisfaction, case.department_id) == ("closed", 5, crew.department.pk)
    assert set(thumbs) == {"before", "after", "verify"}
    stages = [(0, "before", "处置前照片"), (4, "after", "处置后照片"), (5, "verify", "核查照片")]
    for index, stage, alt in stages:
        img = rows.nth(index).locator("img")
        expect(img).to_have_count(1)
        expect(img).to_have_attribute("src", thumbs[stage])
        expect(img).to_have_attribute("alt", alt)
    closer.wait_for_function(
        "() => [...document.querySelectorAll('#timeline img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert closer.locator("#timeline img").count() == 3


def test_actions_are_offered_only_to_whom_they_belong_now(page_as, crew, tree, server_paused):
    case = report_case(
        Report(
            category=crew.category,
            description="人行道上堆放建材",
            lng=tree.grid_a1.center_lng,
            lat=tree.grid_a1.center_lat,
        ),
        actor=crew.reporter,
    )
    handler = page_as(crew.handler)

    # Reported, then registered: nothing is the department's to do yet.
    for step in (None, actions.register_case):
        if step:
            with server_paused:
                step(case, actor=crew.reporter)
        response = handler.goto(f"/cases/{case.pk}/")
        assert response.status == 200
        expect(handler.locator("#case-actions [data-action]")).to_have_count(0)
        expect(handler.locator("#case-actions form")).to_have_count(0)
        expect(handler.locator("#case-actions")).to_contain_text(NO_ACTIONS)
    expect_state(handler, "待派遣")
    handler.goto("/cases/desk/")
    expect(handler.locator("#desk-table")).to_contain_text("暂无待办事件")

    # Once dispatched to their department, exactly the department's two actions appear.
    with server_paused:
        actions.dispatch_case(case, actor=crew.reporter)
    handler.goto(f"/cases/{case.pk}/")
    expect_state(handler, "待签收")
    expect(handler.locator("#case-actions [data-action]")).to_have_count(2)
    assert offered(handler) == {"accept", "return"}

    # A dispatcher of county B may not even learn that the case exists.
    outsider = page_as(crew.outsider)
    response = outsider.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    assert case.number not in outsider.content()
    outsider.goto("/cases/desk/")
    expect(outsider.locator("#desk-table")).not_to_contain_text(case.number)


def test_report_outside_every_grid_is_refused_in_chinese(page_as, crew, tree, server_paused):
    reporter = page_as(crew.reporter, leaflet=True)
    open_report_form(reporter)
    reporter.locator('#report-form textarea[name="description"]').fill("路灯不亮")
    choose_category(reporter, crew.category)
    # 20 km north-east of the grids: inside no grid at all.
    click_map_at(reporter, 120.2, 30.2)
    status = reporter.locator("#position-status")
    expect(status).to_have_text("该位置不在任何网格内，请核对位置")
    expect(status).to_have_class(re.compile(r"\btext-red\b"))
    assert float(reporter.locator("#id_lng").input_value()) == pytest.approx(120.2, abs=1e-4)

    # Submitting anyway: the server refuses it with the same words, and nothing is created.
    with reporter.expect_navigation():
        reporter.locator('#report-form button[type="submit"]').click()
    expect(reporter).to_have_url(re.compile(r"/cases/report/$"))
    expect(reporter.locator("#report-form .alert-danger")).to_have_text(
        "该位置不在任何网格内，请核对位置"
    )
    # The form comes back filled in, the picker at the refused position.
    expect(reporter.locator('#report-form textarea[name="description"]')).to_have_value("路灯不亮")
    expect(status).to_have_text("该位置不在任何网格内，请核对位置")
    with server_paused:
        assert not Case.objects.exists()
