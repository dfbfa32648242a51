"""Valid unified social credit codes made up from a number, for the demo and tests."""

from citygrid.core.validators import credit_code_check_char, organization_code_check_char


def sample_uscc(n: int, division: str = "330100") -> str:
    """A code that passes GB 32100 (both check characters), distinct per `n`."""
    organisation = f"MA{n:06d}"
    body = f"91{division}{organisation}{organization_code_check_char(organisation)}"
    return body + credit_code_check_char(body)
