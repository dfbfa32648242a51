"""Scope over every record URL, generated from the URL conf and the API schema: a user holding
every permission but scoped to one county gets 404 (or 403) for each record of the other
county, on every page and every API operation that names a record — so a module added later is
probed without anyone writing its test.

The data is a small demo city (every record type the generator makes); the test names the record
types it must reach, so a generator change cannot silently shrink the probe.
"""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver

from citygrid.demo.testing import small_demo_city

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _model_of(callback):
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view is None:
        return None
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    return getattr(view, "model", None)


def record_routes() -> list[tuple[str, object]]:
    """(route, model) of every URL that takes one record's primary key."""
    found = []
    for route, pattern in _patterns(get_resolver()):
        if set(pattern.pattern.regex.groupindex) != {"pk"}:
            continue
        model = _model_of(pattern.callback)
        if model is not None and hasattr(model.objects, "in_scope"):
            found.append((route, model))
    return found


def _url(route: str, pk: int) -> str:
    path = re.sub(r"\(\?P<pk>[^)]*\)", str(pk), route)
    path = re.sub(r"<(?:\w+:)?pk>", str(pk), path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".")
    path = re.sub(r"\(\?P<format>[^)]*\)\??", "", path)
    return "/" + path


@pytest.fixture
def city(settings):
    return small_demo_city(settings, seed=7, grids=(2, 2), cases=30, people=120, disputes=20)


@pytest.fixture
def county_user(city, make_user):
    from citygrid.regions.models import Region

    county = Region.objects.filter(parent=city).order_by("code").first()
    user = make_user(scope=[county])
    role = user.roles.create(name="全部权限")
    role.permissions.set(Permission.objects.all())
    return user


def outside(model, user):
    return model.objects.exclude(pk__in=model.objects.in_scope(user).values("pk")).first()


def test_every_record_page_and_api_operation_hides_other_counties(client, api_client, county_user):
    client.force_login(county_user)
    api_client.force_authenticate(county_user)
    leaks = []
    probed = 0
    for route, model in record_routes():
        record = outside(model, county_user)
        if record is None:
            continue
        url = _url(route, record.pk)
        if url.startswith("/api/"):
            answers = [api_client.get(url), api_client.patch(url, {}, format="json")]
            answers.append(api_client.delete(url))
        else:
            answers = [client.get(url), client.post(url, {})]
        probed += 1
        for response in answers:
            if response.status_code not in (403, 404, 405):
                leaks.append(f"{response.request['REQUEST_METHOD']} {url}: {response.status_code}")
        assert model.objects.filter(pk=record.pk).exists(), f"{url} deleted a record"
    assert not leaks, "\n".join(leaks)
    assert probed >= 40
    # The demo city reaches the record types that matter (a new type joins by itself).
    reached = {model._meta.label for route, model in record_routes() if outside(model, county_user)}
    for label in (
        "regions.Region",
        "regions.GridWorker",
        "cases.Case",
        "cases.Department",
        "disputes.Dispute",
        "housing.Building",
        "housing.House",
        "housing.Rental",
        "people.Person",
        "people.SpecialGroup",
        "people.CareRecord",
    ):
        assert label in reached, label
