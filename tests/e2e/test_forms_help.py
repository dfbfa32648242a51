"""Forms that help (issue 12, item 6), as a person sees them: 民族 with 汉族 first, sex and
birth date filled from the ID number as it is typed, the house found by a searchable picker
with a warning for a second owner, a 核查任务 sent from a person's page and answered on a
phone, and a grid worker's own patrol task."""

import os

import pytest
from playwright.sync_api import expect

from citygrid.cases.models import Task
from citygrid.housing.tests import factories as f
from citygrid.people.models import Residency
from citygrid.regions.models import GridWorker
from tests.e2e.conftest import DESKTOP, PHONE, PHONE_DEVICE, log_in_page

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CITYGRID_SHOTS")  # a folder: keep screenshots to look at
ID_MALE = "110105199001011232"  # 1990-01-01, 17th digit 3: male
ID_FEMALE = "330101198505050025"  # 1985-05-05, 17th digit 2: female
CLERK = [
    "people.view_person",
    "people.add_person",
    "people.change_person",
    "people.view_residency",
    "people.add_residency",
    "housing.view_house",
    "cases.view_task",
    "cases.send_verification_task",
]
WORKER = ["cases.view_task", "cases.change_task", "people.view_person", "housing.view_house"]


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def open_as(new_page):
    """open_as(user, viewport) → a page logged in as `user`, a phone's when `viewport` is one."""

    def open_page(user, viewport=DESKTOP):
        device = PHONE_DEVICE if viewport == PHONE else {"viewport": viewport}
        return log_in_page(new_page(**device), user)

    return open_page


@pytest.fixture
def clerk(make_user, tree):
    return make_user(perms=CLERK, scope=[tree.county_a], username="street")


@pytest.fixture
def worker(make_user, tree):
    user = make_user(perms=WORKER, scope=[tree.community_a], username="worker")
    post = GridWorker(region=tree.grid_a1, name="王网格", phone="13900001111", user=user)
    post.full_clean()
    post.save()
    return user


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_person_form_han_first_and_id_fills_sex_and_birth_date(open_as, clerk, seeded, viewport):
    page = open_as(clerk, viewport)
    page.goto("/people/persons/add/")
    # A long select becomes a searchable list (forms.js): what opens is what a person sees.
    page.locator("[data-field=ethnicity] .ts-control").click()
    options = page.locator("#id_ethnicity-ts-dropdown .option")
    expect(options.first).to_have_text("汉族")
    assert options.all_inner_texts()[:4] == ["汉族", "壮族", "维吾尔族", "回族"]
    page.keyboard.press("Escape")
    number, sex, birth = (
        page.locator("#id_id_number"),
        page.locator("#id_sex"),
        page.locator("#id_birth_date"),
    )
    number.press_sequentially(ID_MALE[:17])
    expect(sex).to_have_value("")  # not a whole number yet
    number.press_sequentially(ID_MALE[17:])
    expect(sex).to_have_value("1")
    expect(birth).to_have_value("1990-01-01")
    shot(page, f"person-form-{'phone' if viewport == PHONE else 'desktop'}")
    number.fill(ID_FEMALE)
    number.dispatch_event("input")
    expect(sex).to_have_value("2")  # still ours to change
    expect(birth).to_have_value("1985-05-05")
    sex.select_option("1")  # typed by hand: the next number leaves it alone
    number.fill(ID_MALE[:10])
    number.dispatch_event("input")
    expect(birth).to_have_value("")  # an incomplete number clears what it had filled
    expect(sex).to_have_value("1")
    # Another document type: nothing is decoded.
    page.locator("#id_id_type").select_option("414")
    number.fill(ID_FEMALE)
    number.dispatch_event("input")
    expect(birth).to_have_value("")


def test_house_picker_and_second_owner_warning(open_as, clerk, tree, seeded):
    estate = f.estate(tree.community_a, "幸福小区")
    house = f.house(f.building(tree.grid_a1, "3号楼", estate=estate), "301", floor=3)
    f.house(f.building(tree.grid_a1, "5号楼", estate=estate), "301", floor=3)
    owner = f.person(tree.grid_a1, "王五", f.ID_C)
    f.residency(owner, house, relation="owner")
    person = f.person(tree.grid_a1, "张三", f.ID_A)
    page = open_as(clerk)
    page.goto(f"/people/persons/{person.pk}/move/")
    page.locator("#id_house-ts-control").fill("幸福 3号楼 30")
    option = page.locator(".ts-dropdown .option", has_text="幸福小区3号楼1单元301")
    expect(option).to_have_count(1)
    expect(page.locator(".ts-dropdown .option", has_text="5号楼")).to_have_count(0)
    expect(option.locator(".badge")).to_have_text("已有产权人")
    shot(page, "house-picker")
    option.click()
    hint = page.locator("[data-owner-hint]")
    expect(hint).to_be_hidden()  # a household member may join an owned house
    page.locator("#id_relation").select_option("owner")
    expect(hint).to_have_text("该房屋已登记产权人 1 人；如为共有产权，提交时需确认。")
    page.locator("#id_started_on").fill("2025-03-01")
    page.get_by_role("button", name="办理").click()
    expect(page.locator("#owner-warning")).to_contain_text("该房屋已登记产权人 1 人")
    shot(page, "second-owner-warning")
    assert not Residency.objects.filter(person=person).exists()
    page.get_by_label("确认该房屋为共有产权，仍登记为产权人").check()
    page.get_by_role("button", name="办理").click()
    expect(page.locator(".alert-success")).to_contain_text("已办理迁居")
    assert Residency.objects.get(person=person).house == house


def test_verification_sent_from_the_desk_answered_on_the_phone(
    open_as, clerk, worker, tree, seeded
):
    person = f.person(tree.grid_a1, "张小三", f.ID_A)
    desk = open_as(clerk)
    desk.goto(f"/people/persons/{person.pk}/")
    desk.get_by_role("link", name="发起核查").click()
    expect(desk.locator("#verification-assignee")).to_contain_text("worker")
    desk.get_by_label("核查内容").fill("核实现住地址与联系电话")
    desk.get_by_role("button", name="发送核查任务").click()
    expect(desk.locator(".alert-success")).to_contain_text("已向worker发起核查任务")
    expect(desk.locator("#verification-tasks")).to_contain_text("待执行")

    phone = open_as(worker, PHONE)
    phone.goto("/m/")
    item = phone.locator(".task-item", has_text="核查人员信息：张*三")
    expect(item).to_contain_text("核实现住地址与联系电话")
    item.get_by_role("link", name="去核查").click()
    expect(phone.locator("#answer-facts")).to_contain_text("张*三")
    phone.get_by_text("提交核查结论").click()
    expect(phone.locator("#answer-error")).to_have_text("请选择核查结论")
    phone.locator("label[for=outcome-incorrect]").click()
    phone.locator("#answer-note").fill("本人已搬离")
    phone.locator("#answer-corrections").fill("现住甲二路2号")
    shot(phone, "answer-phone")
    phone.get_by_text("提交核查结论").click()
    expect(phone.locator("#answer-result")).to_have_text("核查结论已提交：信息有误")
    shot(phone, "answer-phone-done")
    task = Task.objects.get(person=person)
    assert (task.outcome, task.corrections) == ("incorrect", "现住甲二路2号")

    desk.reload()
    card = desk.locator("#verification-tasks")
    expect(card).to_contain_text("信息有误")
    expect(card).to_contain_text("更正内容：现住甲二路2号")
    shot(desk, "person-page-answer")


def test_grid_worker_sets_their_own_patrol_task_on_the_phone(open_as, worker, tree):
    phone = open_as(worker, PHONE)
    phone.goto("/m/")
    phone.get_by_role("link", name="新建巡查任务").click()
    # The form's script handles the click once the page has loaded; a click before it would
    # submit the form to the page itself.
    phone.wait_for_load_state("load")
    phone.get_by_text("新建", exact=True).click()
    expect(phone.locator("#new-patrol-error")).to_have_text("请填写任务标题")
    phone.locator("#patrol-title").fill("夜间沿街巡查")
    phone.locator("#patrol-frequency").fill("每日一次")
    phone.locator("#patrol-instructions").fill("重点看沿街商铺消防通道")
    shot(phone, "new-patrol-phone")
    phone.get_by_text("新建", exact=True).click()
    expect(phone.locator("#new-patrol-result")).to_contain_text("巡查任务已新建")
    phone.goto("/m/")
    item = phone.locator(".task-item", has_text="夜间沿街巡查")
    expect(item).to_contain_text("每日一次")
    item.get_by_role("link", name="完成巡查").click()
    expect(phone.locator("#patrol-instructions")).to_have_text("巡查要点：重点看沿街商铺消防通道")
    task = Task.objects.get(title="夜间沿街巡查")
    assert (task.assignee, task.region) == (worker, tree.grid_a1)


def test_on_the_desk_a_worker_answers_and_sets_a_patrol_task(open_as, clerk, worker, tree, seeded):
    from citygrid.cases.fieldwork import send_verification

    house = f.house(f.building(tree.grid_a1, "2号楼"), "201", floor=2)
    task = send_verification(house, actor=clerk, instructions="核实是否空置")
    desk = open_as(worker)
    desk.goto(f"/cases/tasks/{task.pk}/")
    expect(desk.locator("#task-instructions")).to_have_text("核实是否空置")
    form = desk.locator("#answer-form")
    form.get_by_label("核实无误").check()
    form.get_by_label("核查情况").fill("已入户查看，确为空置")
    shot(desk, "desk-answer")
    form.get_by_role("button", name="提交").click()
    expect(desk.locator(".alert-success")).to_contain_text("核查结论已提交")
    expect(desk.locator("#task-outcome")).to_have_text("核实无误")

    desk.goto("/cases/tasks/")
    desk.locator("#add-own-patrol").click()
    desk.get_by_label("任务标题").fill("周末商铺巡查")
    desk.get_by_role("button", name="新建").click()
    expect(desk.locator(".alert-success")).to_contain_text("已新建巡查任务“周末商铺巡查”")
    shot(desk, "desk-own-patrol")
    assert Task.objects.get(title="周末商铺巡查").assignee == worker


def test_a_membership_names_its_person_through_the_person_picker(open_as, make_user, tree, seeded):
    from citygrid.people.tests.test_groups import make_person

    chosen = make_person(tree.grid_a1, "欧阳明")
    make_person(tree.grid_a2, "欧阳丽")
    make_person(tree.grid_b1, "欧阳远")  # another county: never offered
    officer = make_user(
        perms=["people.view_person", "people.view_specialgroup", "people.add_specialgroup"],
        scope=[tree.county_a],
        username="officer",
    )
    page = open_as(officer)
    searches = []
    page.on("request", lambda r: "persons/search" in r.url and searches.append(r))
    page.goto("/people/special-groups/add/?kind=petitioner")
    page.locator("[data-field=person] .ts-control").click()
    page.keyboard.type(chosen.id_number)
    options = page.locator(".ts-dropdown .option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("欧阳明（")
    # The number was POSTed, not put into the address.
    assert searches and all(r.method == "POST" and "q=" not in r.url for r in searches)
    page.keyboard.press("Control+a")
    page.keyboard.type("欧阳")
    expect(options).to_have_count(2)
    expect(page.locator(".ts-dropdown")).not_to_contain_text("欧阳远")
    options.filter(has_text="欧阳明").click()
    expect(page).to_have_url(f"/people/special-groups/add/?kind=petitioner&person={chosen.pk}")
    expect(page.locator("[data-field=person] .ts-control")).to_contain_text("欧阳明（")
    shot(page, "person-picker")
