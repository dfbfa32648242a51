"""两新组织 as directive targets (notify's registry): the accounts of organisations of the chosen
kinds or the chosen organisations, in the sender's territory, reached through their community."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from citygrid.core.errors import ActionError
from citygrid.neworgs.models import NewOrganisation
from citygrid.notify.directives import actions
from citygrid.notify.directives.forms import DirectiveForm
from citygrid.notify.directives.targets import Targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(tree, make_user):
    def organisation(name, kind, region):
        org = NewOrganisation(name=name, kind=kind, region=region, head_name="王五")
        org.full_clean()
        org.save()
        account = make_user()
        org.accounts.add(account)
        return org, account

    return {
        "enterprise_a": organisation("甲科技有限公司", "enterprise", tree.community_a),
        "group_a": organisation("甲社区志愿者协会", "social_group", tree.grid_a1),
        "enterprise_b": organisation("乙商贸有限公司", "enterprise", tree.community_b),
    }


def send(sender, **kinds):
    targets = Targets(regions=[], levels=[], users=[], kinds=kinds)
    return actions.send_directive(
        sender,
        title="两新组织安全检查",
        body="请组织开展一次安全自查。",
        deadline=timezone.now() + timedelta(days=2),
        targets=targets,
    )


def test_kinds_and_named_organisations_reach_their_accounts_in_scope(
    tree, make_user, organisations
):
    sender = make_user(perms=["notify.send_directive"], scope=[tree.township_a])
    directive = send(sender, neworg_kind=["enterprise"])
    receipt = directive.receipts.get()
    assert receipt.recipient == organisations["enterprise_a"][1]
    assert receipt.region == tree.community_a
    assert directive.targets == [{"label": "两新组织类型", "names": ["非公有制经济组织"]}]

    group, account = organisations["group_a"]
    named = send(sender, neworg=[str(group.pk)])
    assert named.receipts.get().recipient == account
    assert named.receipts.get().region == tree.grid_a1


def test_organisations_outside_scope_are_neither_offered_nor_reached(
    client, tree, make_user, organisations
):
    sender = make_user(perms=["notify.send_directive"], scope=[tree.township_a])
    client.force_login(sender)
    url = reverse("notify:directive_target_search", args=["neworg"])
    found = client.get(url, {"q": "有限公司"}).json()["results"]
    assert [row["text"] for row in found] == ["甲科技有限公司"]
    outside = organisations["enterprise_b"][0]
    with pytest.raises(ActionError, match="没有可接收指令的人员"):
        send(sender, neworg=[str(outside.pk)])


def test_named_organisations_are_searched_not_listed(client, tree, make_user, organisations):
    """A city's organisations are too many for a list: the form holds the chosen ones only."""
    sender = make_user(perms=["notify.send_directive"], scope=[tree.township_a])
    client.force_login(sender)
    page = client.get(reverse("notify:directive_new")).content.decode()
    assert "甲科技有限公司" not in page and "两新组织类型" in page
    chosen = organisations["enterprise_a"][0]
    form = DirectiveForm({"kind_neworg": [str(chosen.pk)]}, user=sender)
    assert "selected>甲科技有限公司</option>" in str(form["kind_neworg"])
    # A kind that is not searchable has no search.
    kinds = reverse("notify:directive_target_search", args=["neworg_kind"])
    assert client.get(kinds, {"q": "企业"}).status_code == 404
