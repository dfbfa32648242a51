"""GeoReport v2 on top of the case workflow: services from the case classes, requests from cases.

Cases are created only through `cases.intake.report_case`; this module translates parameters
and answers. Free text (description, media link, status notes) is returned only to the client
that filed the request; everyone else sees the public fields. Reporter data is never returned.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from citygrid.cases.choices import OPEN_STATES, CaseState, Channel
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case, CaseCategory
from citygrid.core.errors import ActionError
from citygrid.integrations.open311.models import (
    ApiClient,
    ServiceAttribute,
    ServiceRequest,
    repeat_window_seconds,
)

MAX_REQUESTS = 1000
DEFAULT_SPAN = timedelta(days=90)
TERMINAL_CLOSED = (CaseState.CLOSED, CaseState.REJECTED, CaseState.MERGED)


class Open311Error(Exception):
    """An answer in the spec's error list; `status` is both the HTTP status and the code."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def w3c(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- services ---------------------------------------------------------------------------------


def service_code(category: CaseCategory) -> str:
    """Component and event classes reuse the same 4-digit codes: the kind makes them unique."""
    return f"{category.kind}-{category.code}"


def find_service(code: str) -> CaseCategory:
    kind, _, number = (code or "").partition("-")
    category = (
        CaseCategory.objects.reportable()
        .select_related("parent")
        .filter(kind=kind, code=number)
        .first()
    )
    if category is None:
        raise Open311Error(404, f"service_code {code} 不存在或已停用")
    return category


def service_list() -> list[dict]:
    categories = CaseCategory.objects.reportable().select_related("parent").order_by("kind", "code")
    with_attributes = set(ServiceAttribute.objects.values_list("category_id", flat=True).distinct())
    return [
        {
            "service_code": service_code(c),
            "service_name": c.name,
            "description": c.register_criteria or f"{c.parent.name} · {c.name}",
            "metadata": c.pk in with_attributes,
            "type": "realtime",
            "keywords": ", ".join([c.get_kind_display(), c.parent.name, c.name]),
            "group": c.parent.name,
        }
        for c in categories
    ]


def _attribute(a: ServiceAttribute) -> dict:
    return {
        "variable": a.variable,
        "code": a.code,
        "datatype": a.datatype,
        "required": a.required,
        "datatype_description": a.datatype_description or None,
        "order": a.order,
        "description": a.description,
        **(
            {"values": [{"key": v["key"], "name": v["name"]} for v in a.values]}
            if a.is_list
            else {}
        ),
    }


def service_definition(code: str) -> dict:
    category = find_service(code)
    return {
        "service_code": service_code(category),
        "attributes": [_attribute(a) for a in category.open311_attributes.all()],
    }


# --- POST requests ----------------------------------------------------------------------------


def _check_value(attribute: ServiceAttribute, values: list[str]):
    """Return the stored answer (a string, or a list for multivaluelist) or raise."""
    label = f"attribute[{attribute.code}]（{attribute.description}）"
    if attribute.datatype == ServiceAttribute.DataType.MULTI:
        keys = {str(v["key"]) for v in attribute.values}
        if any(v not in keys for v in values):
            raise Open311Error(400, f"{label} 的取值不在可选项中")
        return values
    if len(values) > 1:
        raise Open311Error(400, f"{label} 只能有一个取值")
    value = values[0]
    if attribute.datatype == ServiceAttribute.DataType.SINGLE:
        if value not in {str(v["key"]) for v in attribute.values}:
            raise Open311Error(400, f"{label} 的取值不在可选项中")
    elif attribute.datatype == ServiceAttribute.DataType.NUMBER:
        try:
            float(value)
        except ValueError:
            raise Open311Error(400, f"{label} 应为数字") from None
    elif attribute.datatype == ServiceAttribute.DataType.DATETIME and parse_w3c(value) is None:
        raise Open311Error(400, f"{label} 应为 W3C 日期时间，如 2026-03-02T10:00:00+08:00")
    return value


def check_attributes(category: CaseCategory, posted: dict[str, list[str]]) -> dict:
    attributes = {a.code: a for a in category.open311_attributes.filter(variable=True)}
    unknown = sorted(set(posted) - set(attributes))
    if unknown:
        raise Open311Error(400, f"该服务没有属性 {', '.join(unknown)}")
    answers = {}
    for code, attribute in attributes.items():
        values = [v.strip() for v in posted.get(code, []) if v.strip()]
        if not values:
            if attribute.required:
                raise Open311Error(400, f"attribute[{code}]（{attribute.description}）必填")
            continue
        answers[code] = _check_value(attribute, values)
    return answers


def _answer_text(category: CaseCategory, answers: dict) -> list[str]:
    lines = []
    for a in category.open311_attributes.filter(code__in=answers):
        value = answers[a.code]
        if a.is_list:
            names = {str(v["key"]): v["name"] for v in a.values}
            value = [names[k] for k in value] if isinstance(value, list) else names[value]
        lines.append(f"{a.description}：{'、'.join(value) if isinstance(value, list) else value}")
    return lines


@dataclass
class Submission:
    service_code: str
    lat: str = ""
    long: str = ""
    address_string: str = ""
    description: str = ""
    media_url: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    attributes: dict | None = None

    def fingerprint(self, client: ApiClient) -> str:
        data = {"client": client.pk, **self.__dict__}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _position(sub: Submission) -> tuple[float, float]:
    if sub.lat.strip() and sub.long.strip():
        try:
            lat, lng = float(sub.lat), float(sub.long)
        except ValueError:
            raise Open311Error(400, "lat/long 应为数字（WGS-84 经纬度）") from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise Open311Error(400, "lat/long 超出范围（WGS-84 经纬度）")
        return lng, lat
    if sub.address_string.strip():
        raise Open311Error(400, "位置必填：本系统无法仅凭地址定位，请同时提供 lat 与 long")
    raise Open311Error(400, "位置必填：请提供 lat 与 long（WGS-84）")


def submit(client: ApiClient, sub: Submission) -> ServiceRequest:
    """File a request as a case; a repeat of the same POST within the window returns the first."""
    category = find_service(sub.service_code)
    lng, lat = _position(sub)
    answers = check_attributes(category, sub.attributes or {})
    if len(sub.address_string) > 200:
        raise Open311Error(400, "address_string 不能超过200个字符")
    if len(sub.media_url) > 500 or (
        sub.media_url and not sub.media_url.startswith(("http://", "https://"))
    ):
        raise Open311Error(400, "media_url 应为不超过500个字符的 http(s) 链接")
    fingerprint = sub.fingerprint(client)
    since = timezone.now() - timedelta(seconds=repeat_window_seconds())
    earlier = ServiceRequest.objects.filter(
        client=client, fingerprint=fingerprint, created__gte=since
    ).first()
    if earlier is not None:
        return earlier
    lines = [sub.description.strip() or category.name, *_answer_text(category, answers)]
    if sub.media_url:
        lines.append(f"图片链接：{sub.media_url}")
    report = Report(
        category=category,
        description="\n".join(lines),
        lng=lng,
        lat=lat,
        address=sub.address_string,
        channel=Channel.OPEN311,
        reporter_name=f"{sub.last_name.strip()}{sub.first_name.strip()}"[:50],
        reporter_phone=sub.phone.strip(),
    )
    try:
        with transaction.atomic():
            case = report_case(report, actor=None)
            return ServiceRequest.objects.create(
                case=case,
                client=client,
                token=str(uuid.uuid4()),
                media_url=sub.media_url,
                email=sub.email.strip()[:254],
                device_id=sub.device_id.strip()[:100],
                account_id=sub.account_id.strip()[:100],
                attributes=answers,
                fingerprint=fingerprint,
            )
    except ActionError as exc:
        raise Open311Error(400 if exc.status != 404 else 404, exc.message) from exc


def service_notice(case: Case) -> str:
    if case.state in TERMINAL_CLOSED:
        return f"案件 {case.number} {case.get_state_display()}"
    notice = f"案件编号 {case.number}，当前状态：{case.get_state_display()}"
    if case.step_deadline:
        notice += f"，本环节时限 {timezone.localtime(case.step_deadline):%Y-%m-%d %H:%M}"
    return notice


# --- GET requests -----------------------------------------------------------------------------


def parse_w3c(value: str) -> datetime | None:
    value = (value or "").strip()
    try:
        moment = parse_datetime(value)
        if moment is None and parse_date(value) is not None:
            moment = datetime.combine(parse_date(value), time.min)
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def status_of(case: Case) -> str:
    return "open" if case.state in OPEN_STATES else "closed"


def _status_notes(case: Case, private: bool) -> str:
    label = case.get_state_display()
    if case.state == CaseState.MERGED and case.merged_into_id:
        return f"{label}至 {case.merged_into.number}"
    if private and case.state in TERMINAL_CLOSED:
        last = case.events.filter(to_state=case.state).exclude(note="").order_by("-time").first()
        if last is not None:
            return f"{label}：{last.note}"
    return label


def request_data(case: Case, client: ApiClient | None) -> dict:
    link = getattr(case, "open311", None)
    private = client is not None and link is not None and link.client_id == client.pk
    return {
        "service_request_id": case.number,
        "status": status_of(case),
        "status_notes": _status_notes(case, private),
        "service_name": case.category.name,
        "service_code": service_code(case.category),
        "description": case.description if private else None,
        "agency_responsible": case.department.name if case.department_id else None,
        "service_notice": service_notice(case),
        "requested_datetime": w3c(case.reported_at),
        "updated_datetime": w3c(case.last_updated),
        "expected_datetime": w3c(case.step_deadline) if case.is_open else None,
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lng,
        "media_url": (link.media_url or None) if private else None,
    }


def _cases():
    return Case.objects.select_related("category", "department", "merged_into", "open311")


def get_request(number: str, client: ApiClient | None) -> dict:
    case = _cases().filter(number=number).first()
    if case is None:
        raise Open311Error(404, f"service_request_id {number} 不存在")
    return request_data(case, client)


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def search(params, client: ApiClient | None) -> list[dict]:
    ids = _split(params.get("service_request_id", ""))
    qs = _cases()
    if ids:
        # The spec: with ids given, the other filters are ignored.
        qs = qs.filter(number__in=ids[:MAX_REQUESTS])
        return [request_data(c, client) for c in qs.order_by("-reported_at")]
    codes = _split(params.get("service_code", ""))
    if codes:
        q = Q(pk__in=[])
        for code in codes:
            kind, _, number = code.partition("-")
            q |= Q(category__kind=kind, category__code=number)
        qs = qs.filter(q)
    statuses = set(_split(params.get("status", "")))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能为 open 或 closed")
    if statuses == {"open"}:
        qs = qs.filter(state__in=OPEN_STATES)
    elif statuses == {"closed"}:
        qs = qs.exclude(state__in=OPEN_STATES)
    start, end = _dates(params)
    qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
    return [request_data(c, client) for c in qs.order_by("-reported_at")[:MAX_REQUESTS]]


def _dates(params) -> tuple[datetime, datetime]:
    parsed = {}
    for name in ("start_date", "end_date"):
        raw = params.get(name, "")
        if raw:
            parsed[name] = parse_w3c(raw)
            if parsed[name] is None:
                raise Open311Error(400, f"{name} 应为 W3C 日期时间，如 2026-03-02T10:00:00+08:00")
    start, end = parsed.get("start_date"), parsed.get("end_date")
    if start and end:
        if end < start:
            raise Open311Error(400, "end_date 不能早于 start_date")
        if end - start > DEFAULT_SPAN:
            raise Open311Error(400, "start_date 与 end_date 的跨度不能超过90天")
        return start, end
    if start:
        return start, start + DEFAULT_SPAN
    end = end or timezone.now()
    return end - DEFAULT_SPAN, end


def token_data(token: str) -> list[dict]:
    link = ServiceRequest.objects.select_related("case").filter(token=token).first()
    if link is None:
        raise Open311Error(404, f"token {token} 不存在")
    return [{"service_request_id": link.case.number, "token": link.token}]
