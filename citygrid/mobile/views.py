"""Pages of the grid workers' app (/m/): a small shell the service worker keeps for offline use.

Pages carry what they need offline in their HTML (my grids, categories, tasks); writes go to the
JSON endpoints in `mobile.api` through the phone's IndexedDB queue.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from citygrid.cases.choices import CaseState, TaskKind, TaskStatus, VerificationOutcome
from citygrid.cases.models import Case, CaseAttachment, CaseCategory, Task
from citygrid.core.validators import mask_name
from citygrid.mobile import services
from citygrid.notify.models import DirectiveReceipt
from citygrid.regions.geo.tiles import map_config

# The app shell: the pages and assets the service worker stores so the app opens offline.
# Assets are named through `static()`: in production that is the hashed name the pages link.
SHELL_PAGES = [
    "mobile:home",
    "mobile:report",
    "mobile:visit",
    "mobile:queue",
    "mobile:lookup",
    "mobile:new_patrol",
]
SHELL_ASSETS = [
    "vendor/tabler/tabler.min.css",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "citygrid/basemaps.js",
    "citygrid/dispute_form.js",
    "mobile/mobile.css",
    "mobile/queue.js",
    "mobile/app.js",
    "mobile/icon-192.png",
    "mobile/icon-512.png",
]
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"


def page_context(request, **extra) -> dict:
    """What every page of the app carries: my grids (with their boundaries, for the offline
    outside-grid check) and the map settings."""
    grids = list(services.my_grids(request.user))
    return {
        "grids": grids,
        "my_grids": [{"id": g.pk, "name": g.name, "boundary": g.boundary} for g in grids],
        "map_config": map_config(),
        **extra,
    }


def _tasks(user):
    return (
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN)
        .select_related("case", "region", "person", "house__building__estate", "sender")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )


@ensure_csrf_cookie
@login_required
def home(request):
    """My grid on the map with my position, and my open tasks with countdowns."""
    tasks = list(_tasks(request.user))
    # Kept by the service worker, so that a task's page opens offline too.
    verify_urls = [
        reverse("mobile:verify", args=[t.case_id])
        if t.case_id
        else reverse("mobile:answer", args=[t.pk])
        for t in tasks
        if t.kind == TaskKind.VERIFICATION and (t.case_id or t.target is not None)
    ]
    return render(
        request,
        "mobile/home.html",
        page_context(
            request,
            tasks=tasks,
            verify_urls=verify_urls,
            directives_pending=DirectiveReceipt.objects.filter(
                recipient=request.user, answered_at=None
            ).count(),
        ),
    )


@ensure_csrf_cookie
@login_required
def report(request):
    categories = CaseCategory.objects.reportable().select_related("parent").order_by("code")
    rows = [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "parent": c.parent.name if c.parent else "",
            "search": c.search_terms(),
        }
        for c in categories
    ]
    return render(request, "mobile/report.html", page_context(request, categories=rows))


@ensure_csrf_cookie
@login_required
def verify(request, case_id: int):
    """The on-site verification form of one case in my scope, awaiting verification."""
    case = (
        Case.objects.restrict(request.user, "view")
        .select_related("category", "region")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("事件不存在或不在您的管辖范围内")
    # Before (the report) and after (the department's report back), side by side: one query.
    stages = {CaseAttachment.Stage.BEFORE: [], CaseAttachment.Stage.AFTER: []}
    for photo in case.attachments.filter(stage__in=stages):
        stages[photo.stage].append(photo)
    return render(
        request,
        "mobile/verify.html",
        page_context(
            request,
            case=case,
            compare=[
                ("处置前", stages[CaseAttachment.Stage.BEFORE], "上报时未附照片", "before"),
                ("处置后", stages[CaseAttachment.Stage.AFTER], "反馈时未附照片", "after"),
            ],
            awaiting=case.state == CaseState.REPORTED_BACK,
        ),
    )


@ensure_csrf_cookie
@login_required
def patrol(request, task_id: int):
    """Finish one of my open patrol tasks: what I found on the round."""
    task = _tasks(request.user).filter(pk=task_id, kind=TaskKind.PATROL).first()
    if task is None:
        raise Http404("任务不存在或已完成")
    return render(request, "mobile/patrol.html", page_context(request, task=task))


def _target_facts(task: Task, reveal: bool) -> list[tuple[str, str]]:
    """What the grid worker checks on site: the record as registered, names masked unless
    the role may see them (ID numbers and phones are never shown here)."""
    if task.person_id:
        person = task.person
        return [
            ("姓名", person.name if reveal else mask_name(person.name)),
            ("性别", person.get_sex_label() or "—"),
            ("年龄", f"{age}岁" if (age := person.age()) is not None else "—"),
            ("现住地址", person.current_address or "—"),
            ("所属网格", task.region.name),
        ]
    house = task.house
    return [
        ("房屋", str(house)),
        ("地址", house.address or "—"),
        ("房屋编码", house.code),
        ("使用状态", house.get_occupancy_display()),
        ("所属网格", task.region.name),
    ]


@ensure_csrf_cookie
@login_required
def answer(request, task_id: int):
    """Answer one of my open 核查任务 about a person or a house."""
    task = (
        _tasks(request.user)
        .filter(pk=task_id, kind=TaskKind.VERIFICATION)
        .exclude(person__isnull=True, house__isnull=True)
        .first()
    )
    if task is None:
        raise Http404("任务不存在或已完成")
    facts = _target_facts(task, request.user.can_view_sensitive())
    outcomes = VerificationOutcome.choices
    return render(
        request,
        "mobile/answer.html",
        page_context(request, task=task, facts=facts, outcomes=outcomes),
    )


@ensure_csrf_cookie
@login_required
def new_patrol(request):
    """Set myself a patrol task in one of my grids."""
    return render(request, "mobile/new_patrol.html", page_context(request))


@ensure_csrf_cookie
@login_required
def visit(request):
    return render(request, "mobile/visit.html", page_context(request))


@ensure_csrf_cookie
@login_required
def queue(request):
    return render(request, "mobile/queue.html", page_context(request))


@ensure_csrf_cookie
@login_required
def lookup(request):
    return render(request, "mobile/lookup.html", page_context(request))


@cache
def _asset_version() -> str:
    digest = hashlib.sha256()
    for name in SHELL_ASSETS:
        path = STATIC_DIR / name
        digest.update(path.read_bytes() if path.exists() else name.encode())
    digest.update((STATIC_DIR / "mobile" / "sw.js").read_bytes())
    return digest.hexdigest()[:12]


@never_cache
def service_worker(request):
    """Served from /m/ so that its scope is the whole app; the cache name changes with the
    assets, so a new release replaces the old shell."""
    script = (STATIC_DIR / "mobile" / "sw.js").read_text(encoding="utf-8")
    config = {
        "version": _asset_version(),
        "pages": [reverse(name) for name in SHELL_PAGES],
        "assets": [static(name) for name in SHELL_ASSETS],
        "offline": reverse("mobile:home"),
    }
    body = f"self.CITYGRID_SHELL = {json.dumps(config)};\n{script}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("mobile:home")
    return response


def manifest(request):
    home_url = reverse("mobile:home")
    body = {
        "name": "网格通 · 网格员移动端",
        "short_name": "网格通",
        "lang": "zh-CN",
        "start_url": home_url,
        "scope": home_url,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#206bc4",
        "icons": [
            {"src": static("mobile/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {
                "src": static("mobile/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
        ],
    }
    return JsonResponse(
        body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
