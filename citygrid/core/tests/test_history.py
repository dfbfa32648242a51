"""Change history a person can read: Chinese labels for every value, names instead of ids,
local time to the second, no bookkeeping columns, display names; sensitive values stay masked;
the page's queries do not grow with its rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citygrid.core import dictionaries, history, records
from citygrid.core.context import acting_as
from citygrid.core.models import ObjectChange
from citygrid.core.testing import logged
from citygrid.core.validators import id_number_check_char
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user, tree):
    user = make_user(
        perms=["regions.view_gridworker", "regions.view_region", "people.view_person"],
        scope=[tree.city],
    )
    user.full_name = "王科长"
    user.save()
    return user


@pytest.fixture
def worker(tree, officer):
    worker = logged(
        GridWorker, region=tree.grid_a1, name="张三", role="grid_worker", phone="13812345678"
    )
    with acting_as(officer):
        worker.region, worker.role, worker.active = tree.grid_a2, "inspector", False
        worker.phone = "13900001111"
        records.save_record(worker, actor=officer)
    return worker


def entries(page: str) -> list[dict]:
    """The history table as [{"time", "actor", "action", "fields": {label: (before, after)}}]."""
    table = page.split('id="changelog"', 1)[1].split("</table>", 1)[0]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        if not cells:
            continue
        if len(cells) == 6:
            found.append({"time": cells[0], "actor": cells[1], "action": cells[2], "fields": {}})
            cells = cells[3:]
        found[-1]["fields"][cells[0]] = (cells[1], cells[2])
    return found


def test_an_edit_reads_in_chinese_with_names_and_the_actors_name(client, worker, officer, tree):
    client.force_login(officer)
    page = client.get(f"/territory/grid-workers/{worker.pk}/changelog/").content.decode()
    edit = ObjectChange.objects.get(object_id=worker.pk, action="update")
    shown = entries(page)[0]
    assert shown == {
        "time": timezone.localtime(edit.time).strftime("%Y-%m-%d %H:%M:%S"),
        "actor": "王科长",
        "action": "修改",
        "fields": {
            "所属区域": ("甲一网格", "甲二网格"),
            "岗位": ("网格员", "监督员"),
            "手机号码": ("138****5678", "139****1111"),
            "在岗": ("是", "否"),
        },
    }
    for internal in ("13812345678", "13900001111", "手机号索引", "区域代码", officer.username):
        assert internal not in page


def test_a_creation_by_the_system_lists_its_values(client, worker, officer):
    client.force_login(officer)
    page = client.get(f"/territory/grid-workers/{worker.pk}/changelog/").content.decode()
    created = entries(page)[1]
    assert (created["actor"], created["action"]) == ("系统", "新建")
    assert created["fields"]["姓名"] == ("—", "张三")
    assert created["fields"]["在岗"] == ("—", "是")


def test_dictionary_codes_read_as_their_labels(tree):
    body = "33010119800101003"
    from citygrid.people.models import Person

    person = logged(
        Person, region=tree.grid_a1, name="周某", id_number=body + id_number_check_char(body)
    )
    person.education, person.marital_status = "20", "20"
    person.residence_type = "floating"
    records.save_record(person, actor=None)
    change = ObjectChange.objects.get(object_id=person.pk, action="update")
    [entry] = history.readable([change])
    fields = {f.label: (f.before, f.after) for f in entry.fields}
    assert fields["学历"] == ("—", dictionaries.label("education", "20"))
    assert fields["婚姻状况"] == ("—", dictionaries.label("marital_status", "20"))
    assert "20" not in fields["学历"][1] + fields["婚姻状况"][1]
    assert fields["人口类型"][1] == "流动人口"
    [created] = history.readable([ObjectChange.objects.get(object_id=person.pk, action="create")])
    assert {f.label: f.after for f in created.fields}["出生日期"] == "1980-01-01"


def test_bookkeeping_columns_are_not_shown(tree):
    from citygrid.cases.models import Case

    fields = set(history._fields(Case))
    assert "idempotency_key" not in fields and "reporter_phone_index" not in fields
    assert "region_code" not in fields and "created" not in fields
    assert {"description", "state", "region", "category"} <= fields


def test_the_history_page_reads_each_referenced_type_once(client, tree, officer):
    def queries_for(edits: int) -> int:
        worker = logged(
            GridWorker,
            region=tree.grid_a1,
            name="李四",
            role="grid_worker",
            phone=f"1381234000{edits}",
        )
        for n in range(edits):
            worker.region = tree.grid_a2 if n % 2 == 0 else tree.grid_a1
            worker.note = f"第{n}次"
            records.save_record(worker, actor=officer)
        client.force_login(officer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/territory/grid-workers/{worker.pk}/changelog/").status_code == 200
        regions_read = [q["sql"] for q in captured if 'FROM "regions_region"' in q["sql"]]
        assert regions_read and not [sql for sql in regions_read if '"boundary"' in sql]
        return len(captured)

    assert queries_for(2) == queries_for(8)


def test_no_shown_field_stores_a_code_without_its_labels():
    """A text column holding codes ("grid", "working_hours") must declare its choices or be a
    DictField, or its history shows the code: caught here for every change-logged model."""
    from django.apps import apps
    from django.db import models

    from citygrid.core.fields import DictField
    from citygrid.core.models.base import ChangeLoggedModel

    unlabelled = []
    for model in apps.get_models():
        if not issubclass(model, ChangeLoggedModel):
            continue
        for name, f in history._fields(model).items():
            default = f.default if f.has_default() and not callable(f.default) else ""
            coded = isinstance(default, str) and re.fullmatch(r"[a-z][a-z_]+", default)
            plain = isinstance(f, models.CharField) and not isinstance(f, DictField)
            if plain and coded and not f.choices:
                unlabelled.append(f"{model._meta.label}.{name}")
    assert not unlabelled


def test_the_change_pages_name_the_actor(client, worker, officer, make_user):
    admin = make_user(superuser=True)
    client.force_login(admin)
    edit = ObjectChange.objects.get(object_id=worker.pk, action="update")
    page = client.get(f"/core/changes/{edit.pk}/").content.decode()
    assert "王科长" in page and "甲二网格" in page and "监督员" in page
    assert timezone.localtime(edit.time).strftime("%Y-%m-%d %H:%M:%S") in page
    listed = client.get("/core/changes/").content.decode()
    assert "王科长" in listed and officer.username not in listed
    assert f'href="/core/changes/{edit.pk}/"' in listed and str(edit.request_id) not in listed
