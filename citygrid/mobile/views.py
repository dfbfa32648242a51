"""Pages of the grid workers' app (/m/): a small shell the service worker keeps for offline use.

Pages carry what they need offline in their HTML (my grids, categories, tasks); writes go to the
JSON endpoints in `mobile.api` through the phone's IndexedDB queue.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from citygrid.cases.choices import CaseState, TaskKind, TaskStatus
from citygrid.cases.models import Case, CaseAttachment, CaseCategory, Task
from citygrid.mobile import services

# The app shell: the pages and assets the service worker stores so the app opens offline.
SHELL_PAGES = ["mobile:home", "mobile:report", "mobile:visit", "mobile:queue", "mobile:lookup"]
SHELL_ASSETS = [
    "vendor/tabler/tabler.min.css",
    "vendor/tabler/tabler.min.js",
    "vendor/leaflet/leaflet.css",
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet/images/marker-icon.png",
    "vendor/leaflet/images/marker-icon-2x.png",
    "vendor/leaflet/images/marker-shadow.png",
    "citygrid/basemaps.js",
    "mobile/mobile.css",
    "mobile/queue.js",
    "mobile/app.js",
    "mobile/icon-192.png",
    "mobile/icon-512.png",
]
STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "static"


def _context(request, **extra) -> dict:
    grids = list(services.my_grids(request.user))
    return {
        "grids": grids,
        "my_grids": [{"id": g.pk, "name": g.name, "boundary": g.boundary} for g in grids],
        "map_config": settings.MAP,
        **extra,
    }


def _tasks(user):
    return (
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN)
        .select_related("case", "region")
        .order_by("due_at", "pk")
    )


@ensure_csrf_cookie
@login_required
def home(request):
    """My grid on the map with my position, and my open tasks with countdowns."""
    tasks = list(_tasks(request.user))
    verify_urls = [
        reverse("mobile:verify", args=[t.case_id])
        for t in tasks
        if t.kind == TaskKind.VERIFICATION and t.case_id
    ]
    return render(
        request,
        "mobile/home.html",
        _context(request, tasks=tasks, verify_urls=verify_urls),
    )


@ensure_csrf_cookie
@login_required
def report(request):
    categories = CaseCategory.objects.reportable().select_related("parent").order_by("code")
    rows = [
        {"id": c.pk, "code": c.code, "name": c.name, "parent": c.parent.name if c.parent else ""}
        for c in categories
    ]
    return render(request, "mobile/report.html", _context(request, categories=rows))


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
    photos = case.attachments.filter(stage=CaseAttachment.Stage.AFTER)
    return render(
        request,
        "mobile/verify.html",
        _context(
            request,
            case=case,
            photos=photos,
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
    return render(request, "mobile/patrol.html", _context(request, task=task))


@ensure_csrf_cookie
@login_required
def visit(request):
    return render(request, "mobile/visit.html", _context(request))


@ensure_csrf_cookie
@login_required
def queue(request):
    return render(request, "mobile/queue.html", _context(request))


@ensure_csrf_cookie
@login_required
def lookup(request):
    return render(request, "mobile/lookup.html", _context(request))


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
