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


def test_labels_resolve_through_the_cache_and_follow_edits():
    from citygrid.core import dictionaries

    assert dictionaries.label("ethnicity", "01") == "汉族"
    assert dictionaries.label("ethnicity", "") == ""
    # An unknown value shows as itself rather than vanishing from the screen.
    assert dictionaries.label("ethnicity", "zz") == "zz"
    item = DictItem.objects.get(dictionary__code="ethnicity", value="01")
    item.label = "汉"
    item.save()
    assert dictionaries.label("ethnicity", "01") == "汉"
    assert dictionaries.value_for("sex", "女性") == "2"
    assert dictionaries.value_for("sex", "2") == "2"
    assert dictionaries.value_for("sex", "女") is None


def test_inactive_items_keep_their_label_but_leave_the_pickers():
    from citygrid.core import dictionaries
    from citygrid.core.models.dictionaries import changed

    DictItem.objects.filter(dictionary__code="sex", value="9").update(active=False)
    changed()
    assert "9" not in dict(dictionaries.choices("sex"))
    assert dictionaries.label("sex", "9") == "未说明的性别"


def test_other_processes_see_an_edit_after_the_stamp_changes(monkeypatch):
    from citygrid.core import dictionaries
    from citygrid.core.models import VersionStamp

    assert dictionaries.label("sex", "1") == "男性"
    # Another process edits the table: only the stamp tells this process.
    DictItem.objects.filter(dictionary__code="sex", value="1").update(label="男")
    VersionStamp.bump(dictionaries.STAMP)
    assert dictionaries.label("sex", "1") == "男性"  # within the check interval: cached
    monkeypatch.setattr(dictionaries, "CHECK_EVERY", 0.0)
    assert dictionaries.label("sex", "1") == "男"


def test_dict_field_validates_against_its_code_table(tree):
    from django.core.exceptions import ValidationError

    from citygrid.people.models import Person

    person = Person(
        region=tree.grid_a1, name="测试", id_type="990", id_number="P123", ethnicity="99"
    )
    with pytest.raises(ValidationError) as info:
        person.full_clean()
    assert "ethnicity" in info.value.error_dict
    person.ethnicity = "02"
    person.full_clean()
    assert person.get_ethnicity_label() == "蒙古族"
    field = Person._meta.get_field("education").formfield()
    assert ("20", "大学本科") in list(field.choices)
