"""`manage.py create_admin`: the first administrator, through the write path, with the policy."""

import pytest
from django.core.management import CommandError, call_command

from citygrid.accounts.models import User
from citygrid.core.models import ObjectChange

pytestmark = pytest.mark.django_db

GOOD = "Yunzhou#2026admin"


def create(monkeypatch, username="chief", password=GOOD):
    monkeypatch.setenv("CITYGRID_ADMIN_PASSWORD", password)
    call_command("create_admin", username, "--no-input")


def test_creates_a_superuser_with_its_change_record(monkeypatch):
    create(monkeypatch)
    user = User.objects.get(username="chief")
    assert user.is_superuser and user.is_staff and user.check_password(GOOD)
    change = ObjectChange.objects.get(content_type__model="user", object_id=user.pk)
    assert change.action == "create" and change.user_id is None
    assert GOOD not in str(change.postchange_data)


@pytest.mark.parametrize(
    "password, message",
    [("abc", "密码不符合要求"), ("chiefChief#2026", "不能包含用户名"), ("", "须设置环境变量")],
)
def test_a_weak_or_missing_password_creates_nobody(monkeypatch, password, message):
    with pytest.raises(CommandError, match=message):
        create(monkeypatch, password=password)
    assert not User.objects.filter(username="chief").exists()


def test_an_existing_username_is_refused(monkeypatch):
    create(monkeypatch)
    with pytest.raises(CommandError, match="已存在"):
        create(monkeypatch)
    assert User.objects.filter(username="chief").count() == 1


def test_the_password_is_asked_twice_and_must_match(monkeypatch):
    answers = iter([GOOD, GOOD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="不一致"):
        call_command("create_admin", "chief")
    assert not User.objects.exists()
