"""An organisation head's account (role 两新组织负责人) sees and edits its own organisation only,
though its scope region covers its neighbours too."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citygrid.accounts import roles
from citygrid.core.testing import logged
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord

pytestmark = pytest.mark.django_db

HEAD_PERMISSIONS = next(
    spec.permissions for spec in roles.DEFAULT_ROLES if spec.name == roles.ORGANISATION_HEAD
)


@pytest.fixture
def setup(tree, make_org, make_user):
    own = make_org(tree.grid_a1, "甲一科技有限公司", branches=["party"])
    neighbour = make_org(tree.grid_a1, "甲一邻居公司", branches=["party"])
    head = make_user(perms=HEAD_PERMISSIONS, scope=[tree.grid_a1])
    own.accounts.add(head)
    return own, neighbour, head


def test_head_lists_and_opens_only_own_organisation(client, setup):
    own, neighbour, head = setup
    client.force_login(head)
    page = client.get(reverse("neworgs:neworganisation_list"))
    shown = {row.record.pk for row in page.context["table"].page.object_list}
    assert shown == {own.pk}
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(neighbour.get_absolute_url()).status_code == 404
    branch = neighbour.branches.get()
    assert client.get(reverse("neworgs:orgbranch", args=[branch.pk])).status_code == 404


def test_head_edits_own_but_not_neighbour(client, setup, tree, make_user):
    own, neighbour, head = setup
    other_head = make_user(perms=HEAD_PERMISSIONS, scope=[tree.grid_a1])
    neighbour.accounts.add(other_head)
    client.force_login(head)
    data = {"name": "甲一科技（集团）有限公司", "uscc": own.uscc, "head_name": "新负责人"}
    data |= {"full_time_staff": 1, "employees": 9}
    response = client.post(reverse("neworgs:neworganisation_edit", args=[own.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    own.refresh_from_db()
    assert own.name == "甲一科技（集团）有限公司"
    # Where it is filed and who acts for it stay as they were.
    assert own.region == tree.grid_a1 and list(own.accounts.all()) == [head]
    # The form lists no other organisation's accounts.
    page = client.get(reverse("neworgs:neworganisation_edit", args=[own.pk]))
    assert list(page.context["form"].fields["accounts"].queryset) == [head]
    url = reverse("neworgs:neworganisation_edit", args=[neighbour.pk])
    assert client.post(url, {**data, "uscc": neighbour.uscc}).status_code == 404
    neighbour.refresh_from_db()
    assert neighbour.name == "甲一邻居公司"


def test_head_adds_work_records_to_own_organisation_only(client, setup):
    own, neighbour, head = setup
    client.force_login(head)
    url = reverse("neworgs:workrecord_add")
    data = {"date": "2026-03-01", "content": "召开职工大会"}
    assert client.post(url, {**data, "organisation": own.pk}).status_code == 302
    response = client.post(url, {**data, "organisation": neighbour.pk})
    assert response.status_code == 200 and response.context["form"].errors["organisation"]
    assert list(WorkRecord.objects.values_list("organisation", flat=True)) == [own.pk]


def test_head_api_sees_own_organisation_only(api_client, setup):
    own, neighbour, head = setup
    api_client.force_authenticate(head)
    rows = api_client.get(reverse("api:neworganisation-list")).json()["results"]
    assert [r["id"] for r in rows] == [own.pk]
    branches = api_client.get(reverse("api:orgbranch-list")).json()["results"]
    assert [b["organisation"] for b in branches] == [own.pk]
    url = reverse("api:neworganisation-detail", args=[neighbour.pk])
    assert api_client.patch(url, {"name": "改名"}, format="json").status_code == 404
    # The fields the form keeps fixed are read-only here too.
    url = reverse("api:neworganisation-detail", args=[own.pk])
    response = api_client.patch(url, {"accounts": [], "name": "接口改名"}, format="json")
    assert response.status_code == 200
    assert list(own.accounts.all()) == [head]


def test_head_downloads_own_files_only(client, setup):
    own, neighbour, head = setup
    doc = SimpleUploadedFile("制度.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    mine = logged(Regulation, organisation=own, title="三会一课制度", document=doc)
    doc = SimpleUploadedFile("制度.pdf", b"%PDF-1.4 other", content_type="application/pdf")
    theirs = logged(Regulation, organisation=neighbour, title="邻居制度", document=doc)
    client.force_login(head)
    assert client.get(mine.document.url).status_code == 200
    assert client.get(theirs.document.url).status_code == 404


def test_other_roles_are_not_narrowed(client, setup, make_user, tree):
    own, neighbour, _ = setup
    staff = make_user(perms=["neworgs.view_neworganisation"], scope=[tree.community_a])
    client.force_login(staff)
    page = client.get(reverse("neworgs:neworganisation_list"))
    shown = {row.record.pk for row in page.context["table"].page.object_list}
    assert shown == {own.pk, neighbour.pk}
    assert NewOrganisation.objects.restrict(staff).count() == 2
    assert OrgBranch.objects.restrict(make_user(superuser=True)).count() == 2
