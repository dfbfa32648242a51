"""Validation, normalisation and masking of Chinese identifiers.

The algorithms follow the national standards summarised in standards/README.md §4 and §10.3. The
pure functions raise `InvalidIdentifier` and do not need Django, so importers, APIs and scripts can
share them; `validate_*` wrappers at the end adapt them to Django field validators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError


class InvalidIdentifier(ValueError):
    """A malformed identifier; `code` lets callers branch, `message` is shown to users."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# GB/T 2260 provinces (standards §4.3): the first two digits of every division code and of
# every ID number's region.
PROVINCE_CODES = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)


# --- Citizen ID number (GB 11643-1999) -------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_BODY_RE = re.compile(r"[0-9]{17}")
_ID_18_RE = re.compile(r"[0-9]{17}[0-9X]")
_ID_15_RE = re.compile(r"[0-9]{15}")
# Numbers were first issued in 1984: a birth year before 1900 is a typo, not a living holder.
_EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# Only the province is checked: county codes change every year and old numbers keep theirs.
# 83 heads Taiwan residents' residence permits (standards §4.1).
_ID_PROVINCE_CODES = PROVINCE_CODES | {"83"}

_MSG_ID_FORMAT = "身份证号码应为18位（或15位旧号码）"
_MSG_ID_CHECK = "身份证号码校验位错误"
_MSG_ID_BIRTH = "身份证号码中的出生日期无效"
_MSG_ID_PROVINCE = "身份证号码前两位不是有效的省级行政区划代码"

Sex = Literal["male", "female"]


@dataclass(frozen=True, slots=True)
class IdNumberInfo:
    """What an 18-digit ID number states about its holder."""

    number: str
    birth_date: date
    sex: Sex
    region_code: str


def id_number_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character over the 17-digit body."""
    if not _ID_BODY_RE.fullmatch(body17):
        raise InvalidIdentifier("invalid_format", _MSG_ID_FORMAT)
    total = sum(int(digit) * weight for digit, weight in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _check_id_region(number: str) -> None:
    if number[:2] not in _ID_PROVINCE_CODES:
        raise InvalidIdentifier("invalid_province", _MSG_ID_PROVINCE)


def _id_birth_date(number18: str) -> date:
    try:
        born = date(int(number18[6:10]), int(number18[10:12]), int(number18[12:14]))
    except ValueError:
        raise InvalidIdentifier("invalid_birth_date", _MSG_ID_BIRTH) from None
    if not _EARLIEST_BIRTH_DATE <= born <= date.today():
        raise InvalidIdentifier("invalid_birth_date", _MSG_ID_BIRTH)
    return born


def upgrade_id_number_15(value: str) -> str:
    """Turn a pre-1999 15-digit number into its 18-digit form, so one format is ever stored.

    Legacy numbers carry a two-digit year that always means 19xx.
    """
    value = value.strip()
    if not _ID_15_RE.fullmatch(value):
        raise InvalidIdentifier("invalid_format", _MSG_ID_FORMAT)
    body = f"{value[:6]}19{value[6:]}"
    upgraded = body + id_number_check_char(body)
    _id_birth_date(upgraded)
    _check_id_region(upgraded)
    return upgraded


def normalize_id_number(value: str) -> str:
    """Return the canonical 18-character ID number (upper-case X, legacy numbers upgraded).

    Checks run in the order of the standard: format, check character, birth date, region —
    of which only the province: old numbers legitimately keep county codes that no longer exist.
    """
    value = value.strip().upper()
    if _ID_15_RE.fullmatch(value):
        return upgrade_id_number_15(value)
    if not _ID_18_RE.fullmatch(value):
        raise InvalidIdentifier("invalid_format", _MSG_ID_FORMAT)
    if id_number_check_char(value[:17]) != value[17]:
        raise InvalidIdentifier("invalid_check_char", _MSG_ID_CHECK)
    _id_birth_date(value)
    _check_id_region(value)
    return value


def parse_id_number(value: str) -> IdNumberInfo:
    """Validate an ID number and decode birth date, sex (17th digit odd = male) and region."""
    number = normalize_id_number(value)
    return IdNumberInfo(
        number=number,
        birth_date=_id_birth_date(number),
        sex="male" if int(number[16]) % 2 else "female",
        region_code=number[:6],
    )


# --- Unified social credit code (GB 32100-2015) ----------------------------------------------

# I, O, S, V and Z are left out because they are easily confused with 1, 0, 5, U and 2.
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_BODY_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{17}")
_CREDIT_CODE_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_RE = re.compile(r"[0-9A-Z]{8}")

_MSG_CREDIT_FORMAT = "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）"
_MSG_CREDIT_CHECK = "统一社会信用代码校验位错误"
_MSG_ORG_CHECK = "统一社会信用代码中的组织机构代码校验位错误"
_MSG_ORG_FORMAT = "组织机构代码本体应为8位数字或大写字母"


def credit_code_check_char(body17: str) -> str:
    """GB 32100 MOD 31 check character (position 18) over the first 17 characters."""
    if not _CREDIT_BODY_RE.fullmatch(body17):
        raise InvalidIdentifier("invalid_format", _MSG_CREDIT_FORMAT)
    total = sum(
        _CREDIT_CHARSET.index(char) * weight
        for char, weight in zip(body17, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_CHARSET[(31 - total % 31) % 31]


def organization_code_check_char(body8: str) -> str:
    """GB 11714 check character of an organisation code (position 17 of a credit code)."""
    if not _ORG_BODY_RE.fullmatch(body8):
        raise InvalidIdentifier("invalid_format", _MSG_ORG_FORMAT)
    total = sum(int(char, 36) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


def normalize_credit_code(value: str) -> str:
    """Return the upper-case credit code after the MOD 31 and organisation-code checks."""
    value = value.strip().upper()
    if not _CREDIT_CODE_RE.fullmatch(value):
        raise InvalidIdentifier("invalid_format", _MSG_CREDIT_FORMAT)
    if credit_code_check_char(value[:17]) != value[17]:
        raise InvalidIdentifier("invalid_check_char", _MSG_CREDIT_CHECK)
    if organization_code_check_char(value[8:16]) != value[16]:
        raise InvalidIdentifier("invalid_organization_code", _MSG_ORG_CHECK)
    return value


# --- Administrative division and grid codes (GB/T 2260, NBS 12-digit, CityGrid 15-digit) ----

# Code length of each level -> length of its parent: province, city, county, township,
# community, grid.
_DIVISION_PARENT_LENGTH: dict[int, int | None] = {2: None, 4: 2, 6: 4, 9: 6, 12: 9, 15: 12}
_DIGITS_RE = re.compile(r"[0-9]+")


def validate_division_code(code: str, length: int | None = None) -> None:
    """Check a hierarchical division or grid code; `length` demands one particular level.

    Each level is the parent's code plus its own segment. An all-zero segment is the padding
    GB/T 2260 uses for "the level above", so it is refused where it would duplicate the parent —
    except the county segment: cities without counties (e.g. 东莞 441900) number their
    townships under county segment 00.
    """
    if not _DIGITS_RE.fullmatch(code):
        raise InvalidIdentifier("invalid_format", "行政区划代码只能由数字组成")
    if length is not None and len(code) != length:
        raise InvalidIdentifier("invalid_length", f"行政区划代码应为{length}位数字")
    if len(code) not in _DIVISION_PARENT_LENGTH:
        raise InvalidIdentifier("invalid_length", "行政区划代码应为2、4、6、9、12或15位数字")
    if code[:2] not in PROVINCE_CODES:
        raise InvalidIdentifier("invalid_province", "行政区划代码的前两位不是有效的省级代码")
    if code[2:4] == "00":
        raise InvalidIdentifier("invalid_city", "行政区划代码的地市级部分不能为00")
    if code[6:9] == "000":
        raise InvalidIdentifier("invalid_township", "行政区划代码的乡镇（街道）部分不能为000")
    if code[9:12] == "000":
        raise InvalidIdentifier("invalid_community", "行政区划代码的社区（村）部分不能为000")
    if code[12:15] == "000":
        raise InvalidIdentifier("invalid_grid", "网格编码的网格序号不能为000")


def division_code_parent(code: str) -> str | None:
    """Code of the level above (15→12→9→6→4→2 digits); None for a province."""
    validate_division_code(code)
    parent_length = _DIVISION_PARENT_LENGTH[len(code)]
    return None if parent_length is None else code[:parent_length]


# --- Mobile numbers --------------------------------------------------------------------------

_MOBILE_SEPARATORS_RE = re.compile(r"[\s-]+")
_MOBILE_RE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")


def normalize_mobile(value: str) -> str:
    """Return the bare 11-digit mainland mobile number, dropping separators and a +86 prefix."""
    match = _MOBILE_RE.fullmatch(_MOBILE_SEPARATORS_RE.sub("", value))
    if match is None:
        raise InvalidIdentifier("invalid_mobile", "手机号码格式不正确")
    return match.group(1)


# --- Masking (standards §10.3 defaults) ------------------------------------------------------


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    # Too short to keep both ends without revealing (nearly) everything: hide it all.
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]


def mask_id_number(value: str | None) -> str:
    """`110105********002X`: region and last four stay for matching by eye."""
    return _mask(value, 6, 4) if value else ""


def mask_mobile(value: str | None) -> str:
    """`138****5678`."""
    return _mask(value, 3, 4) if value else ""


def mask_text(value: str | None) -> str:
    """Free text holding personal data (declared tenants ...): hidden whole."""
    return "（已隐藏）" if value else ""


def mask_name(value: str | None) -> str:
    """`张*` / `张*明`: a single star however long the name, so longer names hide their length."""
    name = (value or "").strip()
    if len(name) <= 1:
        # A one-character name would be shown whole; hide it.
        return "*" if name else ""
    return name[0] + "*" + (name[-1] if len(name) >= 3 else "")


# --- Django field validators -----------------------------------------------------------------
# Plain module-level functions (not built by a factory) so migrations can serialise them.


def validate_id_number(value: str) -> None:
    """Django validator for a citizen ID number (15-digit legacy numbers accepted)."""
    try:
        normalize_id_number(value)
    except InvalidIdentifier as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def validate_credit_code(value: str) -> None:
    """Django validator for a unified social credit code."""
    try:
        normalize_credit_code(value)
    except InvalidIdentifier as exc:
        raise ValidationError(exc.message, code=exc.code) from exc


def validate_mobile(value: str) -> None:
    """Django validator for a mainland mobile number."""
    try:
        normalize_mobile(value)
    except InvalidIdentifier as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
