"""The GeoReport v2 endpoints. Every method answers in XML (`.xml`, the default) or JSON
(`.json`, or `format=json`), and every refusal is the spec's error list with the HTTP status."""

import re
from functools import wraps

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from citygrid.cases.models import CaseCategory
from citygrid.integrations.open311 import services
from citygrid.integrations.open311.keys import client_for
from citygrid.integrations.open311.models import ServiceAttribute
from citygrid.integrations.open311.renderers import render, render_errors
from citygrid.integrations.open311.services import Open311Error, Submission

FORMATS = ("xml", "json")
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def endpoint(*methods: str):
    """Resolve the format, check method and jurisdiction, turn `Open311Error` into the list."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt: str = "", **kwargs):
            fmt = (fmt or request.GET.get("format") or request.POST.get("format") or "xml").lower()
            if fmt not in FORMATS:
                return render_errors([(400, f"不支持的格式 {fmt}，请用 xml 或 json")], "xml", 400)
            try:
                if request.method not in methods:
                    raise Open311Error(405, f"不支持 {request.method} 方法")
                _check_jurisdiction(request)
                return view(request, fmt, *args, **kwargs)
            except Open311Error as exc:
                return render_errors([(exc.status, exc.description)], fmt, exc.status)

        return wrapper

    return decorate


def _check_jurisdiction(request) -> None:
    expected = settings.OPEN311_JURISDICTION_ID
    given = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    if given and expected and given != expected:
        raise Open311Error(404, f"jurisdiction_id {given} 不存在")


def _client(request, required: bool):
    """The API client for the request's key: required to create, optional to read more."""
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    if not key:
        if required:
            raise Open311Error(403, "缺少 api_key，无法提交服务请求")
        return None
    client = client_for(key)
    if client is None:
        raise Open311Error(403, "api_key 无效或已停用")
    return client


@endpoint("GET")
def discovery(request, fmt):
    changed = [
        CaseCategory.objects.aggregate(t=Max("last_updated"))["t"],
        ServiceAttribute.objects.aggregate(t=Max("last_updated"))["t"],
    ]
    changeset = services.w3c(max((t for t in changed if t), default=timezone.now()))
    base = request.build_absolute_uri(reverse("open311:discovery", args=["xml"]))
    return render(
        "discovery",
        {
            "changeset": changeset,
            "contact": settings.OPEN311_CONTACT,
            "key_service": getattr(
                settings,
                "OPEN311_KEY_SERVICE",
                "请向系统管理员申请接口密钥（系统管理 → Open311 接口密钥）",
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base.removesuffix("/discovery.xml"),
                    "changeset": changeset,
                    "type": settings.OPEN311_ENDPOINT_TYPE,
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        fmt,
    )


@endpoint("GET")
def service_list(request, fmt):
    return render("services", services.service_list(), fmt)


@endpoint("GET")
def service_definition(request, fmt, code):
    return render("service_definition", services.service_definition(code), fmt)


def _attributes(post) -> dict[str, list[str]]:
    posted: dict[str, list[str]] = {}
    for name, values in post.lists():
        match = ATTRIBUTE_RE.match(name)
        if match:
            posted.setdefault(match.group(1), []).extend(values)
    return posted


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "GET":
        client = _client(request, required=False)
        return render("service_requests", services.search(request.GET, client), fmt)
    client = _client(request, required=True)
    post = request.POST
    fields = {
        name: post.get(name, "")
        for name in Submission.__dataclass_fields__
        if name not in ("service_code", "attributes")
    }
    if not post.get("service_code"):
        raise Open311Error(400, "service_code 必填")
    sub = Submission(service_code=post["service_code"], attributes=_attributes(post), **fields)
    link = services.submit(client, sub)
    return render(
        "service_requests",
        [
            {
                "service_request_id": link.case.number,
                "token": link.token,
                "service_notice": services.service_notice(link.case),
                "account_id": link.account_id or None,
            }
        ],
        fmt,
    )


@endpoint("GET")
def request_detail(request, fmt, number):
    client = _client(request, required=False)
    return render("service_requests", [services.get_request(number, client)], fmt)


@endpoint("GET")
def token(request, fmt, token):
    return render("service_requests", services.token_data(token), fmt)
