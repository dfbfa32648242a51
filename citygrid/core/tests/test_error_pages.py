"""Error pages speak Chinese and stand alone (Django's defaults say "403 Forbidden")."""

import re

import pytest
from django.template.loader import render_to_string


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1].split(">", 1)[1])


@pytest.mark.django_db
def test_forbidden_page_is_chinese(client, make_user):
    client.force_login(make_user())
    response = client.get("/people/persons/")
    assert response.status_code == 403
    text = _text(response.content.decode())
    assert "无权访问" in text and "返回首页" in text and "您没有此操作的权限" in text
    assert not re.search(r"[A-Za-z]{3,}", text)


@pytest.mark.django_db
def test_missing_page_is_chinese(client, make_user):
    client.force_login(make_user())
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_renders_without_a_context():
    html = render_to_string("500.html")
    assert "系统繁忙" in html and "tabler.min.css" in html


@pytest.mark.django_db
def test_expired_form_page_is_chinese(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
