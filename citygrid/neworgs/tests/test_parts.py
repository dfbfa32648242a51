"""A part is added from its organisation's page: the form offers that organisation only."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_part_form_offers_only_the_organisation_of_the_page(client, tree, make_org, make_user):
    own = make_org(tree.grid_a1, "甲一科技有限公司")
    other = make_org(tree.grid_a2, "甲二商贸有限公司")
    perms = ["neworgs.view_orgbranch", "neworgs.add_orgbranch"]
    client.force_login(make_user(perms=perms, scope=[tree.county_a]))
    url = reverse("neworgs:orgbranch_add")
    page = client.get(url, {"organisation": own.pk})
    choices = list(page.context["form"].fields["organisation"].queryset)
    assert choices == [own]
    html = page.content.decode()
    assert own.name in html and other.name not in html
    page = client.get(url)
    assert not page.context["form"].fields["organisation"].queryset.exists()
    assert "请在两新组织详情页" in page.content.decode()
