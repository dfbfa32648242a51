import pytest

from citygrid.core.testing import logged
from citygrid.core.validators import credit_code_check_char, organization_code_check_char
from citygrid.neworgs.models import NewOrganisation, OrgBranch


def uscc(serial: int) -> str:
    """A valid unified social credit code (GB 32100) for test organisation `serial`."""
    body = f"{serial:08d}"
    head = f"91330100{body}{organization_code_check_char(body)}"
    return head + credit_code_check_char(head)


@pytest.fixture
def make_org(db):
    """make_org(region, name, kind="enterprise", branches=(), **fields): through the write path."""
    counter = {"n": 0}

    def make(region, name, kind="enterprise", branches=(), **fields):
        counter["n"] += 1
        fields.setdefault("uscc", uscc(counter["n"]))
        fields.setdefault("head_name", "负责人")
        org = logged(NewOrganisation, region=region, name=name, kind=kind, **fields)
        for branch in branches:
            logged(OrgBranch, organisation=org, kind=branch)
        return org

    return make
