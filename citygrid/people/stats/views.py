"""人口统计: KPI cards, the charts of one region subtree, its children for drill-down, the same
figures as JSON and as an Excel file, and "立即刷新" of the figures.

Scope works as everywhere else: no `people.view_person` → 403; a region outside the user's
territory → 404. The figures come from the region's latest snapshot whatever its age
(`snapshots.read`): counts of the whole subtree, which for a region inside the user's territory
are exactly what `Person.objects.restrict(user, "view")` gives (see `snapshots`), with the
categories the user may not view dropped. No request computes them: a stale or missing snapshot
queues one refresh task (`tasks.queue_refresh`) and the page says "正在更新".
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from citygrid.core.io.files import CONTENT_TYPES
from citygrid.core.middleware import client_ip
from citygrid.core.models import AccessLog
from citygrid.people import tasks
from citygrid.people.choices import ResidenceType
from citygrid.people.models import Person
from citygrid.people.stats import queries, snapshots
from citygrid.people.stats.export import workbook
from citygrid.people.stats.figures import Overview
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

PERMISSION = "people.view_person"
# Levels offered in the region picker; deeper regions are reached by drilling down.
PICKER_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)


def check_permission(user) -> None:
    if not user.has_perm(PERMISSION):
        raise PermissionDenied("您没有查看实有人口的权限")


def default_region(user) -> Region:
    """The user's widest scope region (the city for a superuser)."""
    if user.is_superuser:
        region = Region.objects.filter(parent__isnull=True).order_by("code").first()
    else:
        codes = sorted(user.scope_codes(), key=lambda c: (len(c), c))
        region = Region.objects.filter(code=codes[0]).first() if codes else None
    if region is None:
        raise Http404("您没有可统计的管辖区域")
    return region


def selected_region(request, code: str | None = None) -> Region:
    """The region of `?region=<code>` (or `code`): 403 without permission, 404 outside the
    territory."""
    user = request.user
    check_permission(user)
    code = request.GET.get("region") if code is None else code
    if not code:
        return default_region(user)
    region = Region.objects.in_scope(user).filter(code=code).first()
    if region is None:
        raise Http404("区域不存在或不在您的管辖范围内")
    return region


def figures_for(user, region: Region) -> Overview:
    """The region's latest snapshot for the user. A stale or missing one queues one refresh,
    read at once only when the task backend has run it already (`queue_refresh`)."""
    snapshot = snapshots.current(region)
    if not snapshots.is_fresh(snapshot, region) and tasks.queue_refresh(region):
        snapshot = snapshots.current(region)
    return snapshots.read(user, region, snapshot)


def _rows(rows: list[queries.Row]) -> dict:
    return {
        "labels": [r.label for r in rows],
        "values": [r.value for r in rows],
        "counts": [r.count for r in rows],
    }


def chart_data(found: Overview) -> dict:
    """The series the page's ECharts draw (`static/citygrid/population_stats.js`)."""
    computed_at = timezone.localtime(found.computed_at) if found.computed_at else None
    return {
        "region": {"code": found.region.code, "name": found.region.name},
        "today": f"{found.today:%Y-%m-%d}",
        "computed_at": computed_at.isoformat(timespec="seconds") if computed_at else None,
        "updating": found.updating,
        "total": found.total,
        "kpis": {key: value for key, _label, value in found.kpis},
        "residence_types": _rows(found.residence_types),
        "sexes": _rows(found.sexes),
        "pyramid": {
            "bands": [b.label for b in found.pyramid],
            "male": [b.male for b in found.pyramid],
            "female": [b.female for b in found.pyramid],
            "undated": found.undated,
        },
        "ethnicities": _rows(found.ethnicities),
        "educations": _rows(found.educations),
        "categories": _rows(found.categories),
        "trend": {
            "months": [f"{m.month:%Y-%m}" for m in found.trend],
            "inflow": [m.inflow for m in found.trend],
            "outflow": [m.outflow for m in found.trend],
        },
        "children": [
            {"code": c.code, "name": c.label, "total": c.total, "drill": c.drill}
            for c in found.children
        ],
    }


def _trail(user, region: Region) -> list[Region]:
    return [r for r in region.ancestors() if user.covers(r.code)] + [region]


def _picker(user, region: Region) -> list[tuple[str, str]]:
    # Code and name only: a region row's boundary is the bulk of it.
    regions = list(
        Region.objects.in_scope(user)
        .filter(level__in=PICKER_LEVELS)
        .only("code", "name")
        .order_by("code")
    )
    if region not in regions:
        regions.append(region)
    return [(r.code, f"{'　' * (len(r.code) // 3 - 1)}{r.name}") for r in regions]


class OverviewView(LoginRequiredMixin, View):
    template_name = "people/stats.html"

    def get(self, request):
        region = selected_region(request)
        found = figures_for(request.user, region)
        types = [t.value for t in ResidenceType]
        context = {
            "found": found,
            "region": region,
            "trail": _trail(request.user, region),
            "picker": _picker(request.user, region),
            "type_labels": [t.label for t in ResidenceType],
            "child_rows": [
                (child, [child.by_type.get(t, 0) for t in types]) for child in found.children
            ],
            "chart": chart_data(found),
        }
        return render(request, self.template_name, context)


class DataView(LoginRequiredMixin, View):
    def get(self, request):
        region = selected_region(request)
        return JsonResponse(chart_data(figures_for(request.user, region)))


class ExportView(LoginRequiredMixin, View):
    def get(self, request):
        region = selected_region(request)
        found = figures_for(request.user, region)
        if found.computed_at is None:
            messages.warning(request, f"{region.name}的人口统计正在生成，请稍后再导出")
            return redirect(f"{reverse('population:overview')}?region={region.code}")
        data, rows = workbook(found)
        AccessLog.objects.create(
            user=request.user,
            user_name=request.user.get_username(),
            action=AccessLog.Action.EXPORT,
            content_type=ContentType.objects.get_for_model(Person),
            record_count=rows,
            detail=f"人口统计 xlsx 区域={region.code} {region.name} 日期={found.today:%Y-%m-%d}"[
                :500
            ],
            ip=client_ip(request),
        )
        response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
        filename = f"population_{region.code}_{found.today:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class RefreshView(LoginRequiredMixin, View):
    """立即刷新: queue a refresh of the region's snapshot (POST), at most once a minute per region.
    Nothing is computed here; with a task backend that runs at once the snapshot is new already
    when the page is shown again."""

    def post(self, request):
        region = selected_region(request, request.POST.get("region") or "")
        snapshot = snapshots.current(region)
        if snapshots.may_refresh(snapshot):
            done = snapshots.current(region) if tasks.queue_refresh(region) else None
            if done is not None and (snapshot is None or done.computed_at != snapshot.computed_at):
                messages.success(
                    request, f"{region.name}的人口统计已刷新（用时 {done.seconds:.1f} 秒）"
                )
            else:
                messages.info(request, f"{region.name}的人口统计正在更新，请稍后刷新页面查看")
        else:
            at = timezone.localtime(snapshot.computed_at)
            messages.warning(
                request, f"{region.name}的数据于 {at:%H:%M:%S} 刚刚更新，每个区域每分钟最多刷新一次"
            )
        return redirect(f"{reverse('population:overview')}?region={region.code}")
