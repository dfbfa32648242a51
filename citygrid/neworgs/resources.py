"""Import/export of new organisations, matched by their unified social credit code."""

import datetime

from citygrid.core.io.resources import CellError, Column, Resource, choice_parser, register
from citygrid.core.validators import InvalidIdentifier, normalize_credit_code, normalize_mobile
from citygrid.neworgs.choices import OrganisationKind
from citygrid.neworgs.models import NewOrganisation
from citygrid.neworgs.models.organisations import FILING_LEVELS
from citygrid.regions.models import Region


def _parse_region(text: str) -> Region:
    region = Region.objects.filter(code=text, level__in=FILING_LEVELS).first()
    if region is None:
        raise CellError(f"社区（村）或网格 {text} 不存在")
    return region


def _parse_uscc(text: str) -> str:
    try:
        return normalize_credit_code(text)
    except InvalidIdentifier as exc:
        raise CellError(exc.message) from exc


def _parse_mobile(text: str) -> str:
    try:
        return normalize_mobile(text)
    except ValueError as exc:
        raise CellError("手机号码格式不正确") from exc


def _parse_count(text: str) -> int:
    if not text.isdigit():
        raise CellError("应为不小于 0 的整数")
    return int(text)


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.replace("/", "-"))
    except ValueError as exc:
        raise CellError("日期格式应为 2026-01-31") from exc


@register
class NewOrganisationResource(Resource):
    model = NewOrganisation
    natural_key = "uscc"
    columns = [
        Column(
            "uscc",
            "统一社会信用代码",
            required=True,
            parse=_parse_uscc,
            help="18位，按 GB 32100 校验；已登记的代码更新原记录",
        ),
        Column("name", "组织名称", required=True),
        Column(
            "kind",
            "组织类型",
            required=True,
            parse=choice_parser(OrganisationKind, "组织类型"),
            help="非公有制经济组织、社会团体、民办非企业单位、基金会",
        ),
        Column(
            "region",
            "所属区域代码",
            required=True,
            parse=_parse_region,
            export=lambda o: o.region.code,
            help="社区（村）12位、网格15位",
        ),
        Column("industry", "所属行业"),
        Column("address", "地址"),
        Column("head_name", "负责人", required=True, sensitive="name"),
        Column("head_phone", "负责人电话", parse=_parse_mobile, sensitive="mobile"),
        Column("full_time_staff", "专职工作人员数", parse=_parse_count),
        Column("employees", "从业人员数", parse=_parse_count),
        Column("established_on", "成立日期", parse=_parse_date),
        Column("closed_on", "注销（撤销）日期", parse=_parse_date),
        Column("note", "备注"),
    ]
