"""What `Person.clean()` derives from a resident ID number (sex, birth date) is stored the same
whichever way the person arrives: the page, the API or an import. The API once stored neither,
so people created through it dropped out of the age filters and the pyramid."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citygrid.core.models import ImportJob, ObjectChange
from citygrid.core.testing import csv_bytes
from citygrid.people.models import Person
from citygrid.people.tests.test_persons import id_number, person_form

pytestmark = pytest.mark.django_db

# Odd 17th digit: male; even: female (GB 11643).
PAGE = id_number("330101", "19761231", "042")
API = id_number("330101", "19761231", "053")
IMPORT = id_number("330101", "19761231", "064")


def test_page_api_and_import_derive_the_same_items(client, api_client, tree, make_user):
    actions = ("view", "add", "change", "import")
    user = make_user(perms=[f"people.{a}_person" for a in actions], scope=[tree.county_a])
    client.force_login(user)
    api_client.force_authenticate(user)

    page = client.post(reverse("people:person_add"), person_form(tree.grid_a1, PAGE, name="页面"))
    assert page.status_code == 302, page.context["form"].errors
    api = api_client.post(
        reverse("api:person-list"),
        {"region": tree.grid_a1.pk, "id_number": API, "name": "接口"},
        format="json",
    )
    assert api.status_code == 201, api.json()
    row = {"证件号码": IMPORT, "姓名": "导入", "所属网格（网格代码）": tree.grid_a1.code}
    upload = SimpleUploadedFile("p.csv", csv_bytes([row]), content_type="text/csv")
    assert client.post(reverse("people:person_import"), {"file": upload}).status_code == 302
    assert ImportJob.objects.get().status == ImportJob.Status.DONE

    derived = {
        p.name: (p.sex, p.birth_date)
        for p in Person.objects.filter(name__in=["页面", "接口", "导入"])
    }
    assert derived == {
        "页面": ("2", date(1976, 12, 31)),
        "接口": ("1", date(1976, 12, 31)),
        "导入": ("2", date(1976, 12, 31)),
    }
    # And each arrived with exactly one history row that holds the derived items.
    for person in Person.objects.filter(name__in=derived):
        change = ObjectChange.objects.get(object_id=person.pk, content_type__model="person")
        assert change.action == "create"
        assert change.postchange_data["sex"] == person.sex
        assert change.postchange_data["birth_date"] == "1976-12-31"
