from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from citygrid.core.validators import (
    IdNumberInfo,
    InvalidIdentifier,
    credit_code_check_char,
    division_code_parent,
    id_number_check_char,
    mask_id_number,
    mask_mobile,
    mask_name,
    normalize_credit_code,
    normalize_id_number,
    normalize_mobile,
    organization_code_check_char,
    parse_id_number,
    upgrade_id_number_15,
    validate_credit_code,
    validate_division_code,
    validate_id_number,
    validate_mobile,
)

DIGITS = "0123456789"
ID_CHECK_CHARS = "0123456789X"
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def digits(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=DIGITS, min_size=size, max_size=size)


PAST_DATES = st.dates(min_value=date(1900, 1, 1), max_value=date.today())
# GB/T 2260 provinces, and 83 of Taiwan residents' residence permits.
PROVINCES = [
    *range(11, 16),
    *range(21, 24),
    *range(31, 38),
    *range(41, 47),
    *range(50, 55),
    *range(61, 66),
    71,
    81,
    82,
    83,
]


@st.composite
def id_regions(draw: st.DrawFn) -> str:
    return f"{draw(st.sampled_from(PROVINCES))}{draw(digits(4))}"


@st.composite
def id_bodies(draw: st.DrawFn, born: st.SearchStrategy[date] = PAST_DATES) -> str:
    birth = draw(born)
    return f"{draw(id_regions())}{birth:%Y%m%d}{draw(digits(3))}"


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    prefix = draw(st.text(alphabet=CREDIT_CHARSET, min_size=8, max_size=8))
    org_body = draw(st.text(alphabet=CREDIT_CHARSET, min_size=8, max_size=8))
    body = prefix + org_body + organization_code_check_char(org_body)
    return body + credit_code_check_char(body)


def assert_invalid(func: Callable[[str], object], value: str, code: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as info:
        func(value)
    assert info.value.code == code
    assert info.value.message == message
    assert str(info.value) == message


# --- Citizen ID number ------------------------------------------------------------------------


def test_standard_id_number_is_valid_and_decoded() -> None:
    assert id_number_check_char("11010519491231002") == "X"
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"
    assert parse_id_number("11010519491231002X") == IdNumberInfo(
        number="11010519491231002X",
        birth_date=date(1949, 12, 31),
        sex="female",
        region_code="110105",
    )


def test_standard_legacy_number_upgrades() -> None:
    assert upgrade_id_number_15("110105491231002") == "11010519491231002X"
    assert normalize_id_number(" 110105491231002 ") == "11010519491231002X"


def test_lower_case_x_and_whitespace_are_normalized() -> None:
    assert normalize_id_number(" 11010519491231002x\n") == "11010519491231002X"
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"


def test_odd_17th_digit_is_male() -> None:
    body = "11010519491231001"
    assert parse_id_number(body + id_number_check_char(body)).sex == "male"


def test_invalid_identifier_is_a_value_error() -> None:
    assert issubclass(InvalidIdentifier, ValueError)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",
        "11010519491231002XX",
        "1101051949123100X2",
        "11010549123100",
        "a" * 18,
    ],
)
def test_id_number_of_wrong_shape_is_rejected(value: str) -> None:
    assert_invalid(
        normalize_id_number, value, "invalid_format", "身份证号码应为18位（或15位旧号码）"
    )


def test_id_number_with_wrong_check_char_is_rejected() -> None:
    assert_invalid(
        normalize_id_number, "110105194912310021", "invalid_check_char", "身份证号码校验位错误"
    )


@pytest.mark.parametrize(
    "birth", ["19490230", "19001329", "19000229", "17991231", "18991231", "18500101"]
)
def test_impossible_birth_date_is_rejected(birth: str) -> None:
    body = f"110105{birth}002"
    assert_invalid(
        normalize_id_number,
        body + id_number_check_char(body),
        "invalid_birth_date",
        "身份证号码中的出生日期无效",
    )


def test_earliest_plausible_birth_date_is_accepted() -> None:
    body = "11010519000101002"
    assert parse_id_number(body + id_number_check_char(body)).birth_date == date(1900, 1, 1)


@pytest.mark.parametrize("province", ["00", "99", "10", "30", "16", "24", "47", "72", "84"])
def test_id_number_with_non_existent_province_is_rejected(province: str) -> None:
    body = f"{province}010519491231002"
    assert_invalid(
        normalize_id_number,
        body + id_number_check_char(body),
        "invalid_province",
        "身份证号码前两位不是有效的省级行政区划代码",
    )
    assert_invalid(
        normalize_id_number,
        f"{province}0105491231002",
        "invalid_province",
        "身份证号码前两位不是有效的省级行政区划代码",
    )


@given(id_regions())
def test_id_number_of_every_province_and_residence_permit_is_accepted(region: str) -> None:
    body = f"{region}19491231002"
    assert parse_id_number(body + id_number_check_char(body)).region_code == region


def test_leap_day_birth_date_is_accepted() -> None:
    body = "11010520000229002"
    assert parse_id_number(body + id_number_check_char(body)).birth_date == date(2000, 2, 29)


def test_legacy_number_with_impossible_date_is_rejected() -> None:
    assert_invalid(
        upgrade_id_number_15, "110105490230002", "invalid_birth_date", "身份证号码中的出生日期无效"
    )


@given(id_bodies())
def test_body_with_its_check_char_normalizes_to_itself(body: str) -> None:
    number = body + id_number_check_char(body)
    assert normalize_id_number(number) == number
    assert normalize_id_number(number.lower()) == number


@given(id_bodies(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_of_the_body_is_rejected(
    body: str, position: int, shift: int
) -> None:
    number = body + id_number_check_char(body)
    changed = str((int(number[position]) + shift) % 10)
    tampered = number[:position] + changed + number[position + 1 :]
    assert_invalid(normalize_id_number, tampered, "invalid_check_char", "身份证号码校验位错误")


@given(id_bodies(), st.sampled_from(ID_CHECK_CHARS))
def test_any_other_check_char_is_rejected(body: str, check: str) -> None:
    if check == id_number_check_char(body):
        check = "0" if check == "X" else "X"
    assert_invalid(normalize_id_number, body + check, "invalid_check_char", "身份证号码校验位错误")


@given(
    id_regions(),
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    digits(3),
)
def test_legacy_number_upgrades_to_valid_number_with_same_birth_and_sex(
    region: str, birth: date, sequence: str
) -> None:
    legacy = f"{region}{birth:%y%m%d}{sequence}"
    upgraded = upgrade_id_number_15(legacy)
    assert len(upgraded) == 18
    assert normalize_id_number(upgraded) == upgraded
    assert normalize_id_number(legacy) == upgraded
    info = parse_id_number(upgraded)
    assert info.birth_date == birth
    assert info.sex == ("male" if int(sequence[2]) % 2 else "female")
    assert info.region_code == region


@given(
    id_bodies(st.dates(min_value=date.today() + timedelta(days=1), max_value=date(2199, 12, 31)))
)
def test_future_birth_date_is_rejected(body: str) -> None:
    assert_invalid(
        normalize_id_number,
        body + id_number_check_char(body),
        "invalid_birth_date",
        "身份证号码中的出生日期无效",
    )


# --- Unified social credit code --------------------------------------------------------------


def test_standard_credit_code_is_valid() -> None:
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert organization_code_check_char("M000100Y") == "4"
    assert normalize_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert normalize_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    "value",
    ["", "91350100M000100Y4", "91350100M000100Y433", "91350100M000100I43", "91350100M0001-0Y43"],
)
def test_credit_code_of_wrong_shape_is_rejected(value: str) -> None:
    assert_invalid(
        normalize_credit_code,
        value,
        "invalid_format",
        "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）",
    )


def test_credit_code_with_wrong_check_char_is_rejected() -> None:
    assert_invalid(
        normalize_credit_code,
        "91350100M000100Y44",
        "invalid_check_char",
        "统一社会信用代码校验位错误",
    )


def test_credit_code_with_wrong_organization_code_is_rejected() -> None:
    # Position 17 changed and position 18 recomputed, so only the GB 11714 check can catch it.
    body = "91350100M000100Y5"
    assert_invalid(
        normalize_credit_code,
        body + credit_code_check_char(body),
        "invalid_organization_code",
        "统一社会信用代码中的组织机构代码校验位错误",
    )


@given(credit_codes())
def test_generated_credit_code_is_valid(code: str) -> None:
    assert normalize_credit_code(code) == code
    assert normalize_credit_code(code.lower()) == code


@given(credit_codes(), st.integers(min_value=0, max_value=17), st.sampled_from(CREDIT_CHARSET))
def test_any_single_substitution_in_credit_code_is_rejected(
    code: str, position: int, replacement: str
) -> None:
    if replacement == code[position]:
        replacement = CREDIT_CHARSET[(CREDIT_CHARSET.index(replacement) + 1) % 31]
    tampered = code[:position] + replacement + code[position + 1 :]
    assert_invalid(
        normalize_credit_code, tampered, "invalid_check_char", "统一社会信用代码校验位错误"
    )


# --- Division and grid codes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "11",
        "82",
        "1101",
        "110108",
        "441900",
        "441900003",
        "320508019",
        "320508019044",
        "320508019044001",
    ],
)
def test_valid_division_codes(code: str) -> None:
    assert validate_division_code(code) is None
    assert validate_division_code(code, length=len(code)) is None


@pytest.mark.parametrize(
    ("code", "error_code", "message"),
    [
        ("", "invalid_format", "行政区划代码只能由数字组成"),
        ("11010a", "invalid_format", "行政区划代码只能由数字组成"),
        (" 110108", "invalid_format", "行政区划代码只能由数字组成"),
        ("11010", "invalid_length", "行政区划代码应为2、4、6、9、12或15位数字"),
        ("1101080011", "invalid_length", "行政区划代码应为2、4、6、9、12或15位数字"),
        ("10", "invalid_province", "行政区划代码的前两位不是有效的省级代码"),
        ("30", "invalid_province", "行政区划代码的前两位不是有效的省级代码"),
        ("160100", "invalid_province", "行政区划代码的前两位不是有效的省级代码"),
        ("830000", "invalid_province", "行政区划代码的前两位不是有效的省级代码"),
        ("110000", "invalid_city", "行政区划代码的地市级部分不能为00"),
        ("110108000", "invalid_township", "行政区划代码的乡镇（街道）部分不能为000"),
        ("320508019000", "invalid_community", "行政区划代码的社区（村）部分不能为000"),
        ("320508019044000", "invalid_grid", "网格编码的网格序号不能为000"),
    ],
)
def test_invalid_division_codes(code: str, error_code: str, message: str) -> None:
    assert_invalid(validate_division_code, code, error_code, message)


def test_division_code_of_another_length_than_requested_is_rejected() -> None:
    with pytest.raises(InvalidIdentifier) as info:
        validate_division_code("110108", length=12)
    assert info.value.code == "invalid_length"
    assert info.value.message == "行政区划代码应为12位数字"


def test_division_code_parent_chain() -> None:
    chain = ["320508019044001"]
    while (parent := division_code_parent(chain[-1])) is not None:
        chain.append(parent)
    assert chain == ["320508019044001", "320508019044", "320508019", "320508", "3205", "32"]


def test_division_code_parent_rejects_invalid_code() -> None:
    assert_invalid(
        division_code_parent, "32050", "invalid_length", "行政区划代码应为2、4、6、9、12或15位数字"
    )


# --- Mobile numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        " 13812345678 ",
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "+86-138-1234-5678",
        "8613812345678",
        "86 13812345678",
    ],
)
def test_mobile_is_normalized(value: str) -> None:
    assert normalize_mobile(value) == "13812345678"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1381234567",
        "138123456789",
        "12812345678",
        "23812345678",
        "+85213812345678",
        "+8713812345678",
        "138.1234.5678",
        "1381234567x",
    ],
)
def test_malformed_mobile_is_rejected(value: str) -> None:
    assert_invalid(normalize_mobile, value, "invalid_mobile", "手机号码格式不正确")


# --- Masks -----------------------------------------------------------------------------------


def test_mask_id_number() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"
    assert mask_id_number("1101050") == "*******"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""


def test_mask_mobile() -> None:
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("1234567") == "*******"
    assert mask_mobile("") == ""
    assert mask_mobile(None) == ""


def test_mask_name() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("张小明") == "张*明"
    assert mask_name("欧阳娜娜") == "欧*娜"
    assert mask_name("张") == "*"
    assert mask_name(" 张三 ") == "张*"
    assert mask_name("") == ""
    assert mask_name(None) == ""


# --- Django validators -----------------------------------------------------------------------


def test_django_validators_accept_valid_values() -> None:
    assert validate_id_number("11010519491231002X") is None
    assert validate_credit_code("91350100M000100Y43") is None
    assert validate_mobile("13812345678") is None


@pytest.mark.parametrize(
    ("validator", "value", "code", "message"),
    [
        (validate_id_number, "110105194912310021", "invalid_check_char", "身份证号码校验位错误"),
        (
            validate_credit_code,
            "91350100M000100Y44",
            "invalid_check_char",
            "统一社会信用代码校验位错误",
        ),
        (validate_mobile, "12812345678", "invalid_mobile", "手机号码格式不正确"),
    ],
)
def test_django_validators_raise_validation_error(
    validator: Callable[[str], None], value: str, code: str, message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        validator(value)
    assert info.value.code == code
    assert info.value.messages == [message]


@pytest.mark.django_db
def test_within_is_the_subtree_of_a_code_as_a_range(tree):
    from citygrid.core.lookups import next_code
    from citygrid.regions.models import Region

    assert next_code("3301") == "3302"
    assert next_code("330109") == "330110"
    assert next_code("999") is None
    with pytest.raises(ValueError):
        next_code("33a1")
    for code in ("3301", "330101", "330102", "330101001001", "330101001001001", "33", "3"):
        within = set(Region.objects.filter(code__within=code).values_list("code", flat=True))
        prefix = set(Region.objects.filter(code__startswith=code).values_list("code", flat=True))
        assert within == prefix, code
    nines = Region.objects.create(parent=tree.city, level="county", code="330199", name="九区")
    assert set(Region.objects.filter(code__within="330199")) == {nines}
    assert nines in Region.objects.filter(code__within="3301")
    assert set(Region.objects.filter(code__within="9999")) == set()
