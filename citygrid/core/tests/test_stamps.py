import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citygrid.core.models import VersionStamp

pytestmark = pytest.mark.django_db


def test_pinned_reads_once_but_sees_its_own_bumps():
    VersionStamp.bump("x")
    with VersionStamp.pinned():
        with CaptureQueriesContext(connection) as queries:
            assert [VersionStamp.read("x") for _ in range(5)] == [1] * 5
        assert len(queries) == 1
        VersionStamp.objects.filter(name="x").update(value=7)  # another process's change
        assert VersionStamp.read("x") == 1
        VersionStamp.bump("x")
        assert VersionStamp.read("x") == 8
    assert VersionStamp.read("x") == 8


def test_pinned_names_are_read_together_in_one_query():
    VersionStamp.bump("a")
    VersionStamp.bump("b")
    VersionStamp.bump("b")
    with (
        CaptureQueriesContext(connection) as queries,
        VersionStamp.pinned("a", "b", "never_bumped"),
    ):
        values = [VersionStamp.read(n) for n in ("a", "b", "never_bumped")]
    assert values == [1, 2, 0]
    assert len(queries) == 1
