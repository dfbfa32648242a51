import pytest

from citygrid.core.models import Dictionary, DictItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded():
    # Transactional (browser) tests flush the tables the migration seeded.
    from citygrid.core.seeds import seed_dictionaries

    seed_dictionaries(Dictionary, DictItem)


def test_national_code_tables_are_seeded():
    ethnicity = Dictionary.objects.get(code="ethnicity")
    assert ethnicity.items.count() == 58
    assert ethnicity.items.get(value="01").label == "汉族"
    assert Dictionary.objects.get(code="sex").items.get(value="2").label == "女性"


def test_admin_adds_a_local_item_and_duplicates_are_refused(client, make_user):
    client.force_login(make_user(superuser=True))
    dispute = Dictionary.objects.get(code="dispute_type")
    url = "/core/dict-items/add/"
    response = client.post(
        url,
        {"dictionary": dispute.pk, "value": "06", "label": "物业纠纷", "sort": 6, "active": "on"},
    )
    assert response.status_code == 302
    assert DictItem.objects.get(dictionary=dispute, value="06").label == "物业纠纷"
    response = client.post(
        url, {"dictionary": dispute.pk, "value": "06", "label": "重复", "sort": 7, "active": "on"}
    )
    assert "同一代码表中代码值不能重复" in response.content.decode()
    page = client.get(dispute.get_absolute_url()).content.decode()
    assert "物业纠纷" in page


def test_dictionary_pages_need_permission(client, make_user):
    client.force_login(make_user())
    assert client.get("/core/dictionaries/").status_code == 403
