"""人口统计: KPI cards, the charts of one region subtree, its children for drill-down, the same
figures as JSON and as an Excel file.

Scope works as everywhere else: no `people.view_person` → 403; a region outside the user's
territory → 404; figures only ever come from `Person.objects.restrict(user, "view")`.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from citygrid.core.io.files import CONTENT_TYPES
from citygrid.core.middleware import client_ip
from citygrid.core.models import AccessLog
from citygrid.people.choices import ResidenceType
from citygrid.people.models import Person
from citygrid.people.stats import queries
from citygrid.people.stats.export import workbook
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

PERMISSION = "people.view_person"
# Levels offered in the region picker; deeper regions are reached by drilling down.
PICKER_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
CHILDREN_AGE = 15  # 0–14: the three youngest bands
ELDERLY_AGE = 60  # 60 and over


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


def selected_region(request) -> Region:
    """The region of `?region=<code>`: 403 without permission, 404 outside the territory."""
    user = request.user
    check_permission(user)
    code = request.GET.get("region")
    if not code:
        return default_region(user)
    region = Region.objects.in_scope(user).filter(code=code).first()
    if region is None:
        raise Http404("区域不存在或不在您的管辖范围内")
    return region


@dataclass
class Overview:
    region: Region
    today: date
    total: int
    residence_types: list[queries.Row]
    sexes: list[queries.Row]
    pyramid: list[queries.Band]
    undated: int
    ethnicities: list[queries.Row]
    educations: list[queries.Row]
    categories: list[queries.Row]
    trend: list[queries.Month]
    children: list[queries.Child]
    kpis: list[tuple[str, str, int]] = field(default_factory=list)


def _band_sum(bands: list[queries.Band], start: int, stop: int | None = None) -> int:
    chosen = bands[
        start // queries.BAND_YEARS : None if stop is None else stop // queries.BAND_YEARS
    ]
    return sum(b.male + b.female for b in chosen)


def overview(user, region: Region, today: date) -> Overview:
    qs = queries.persons(user, region)
    pyramid, undated = queries.age_pyramid(qs, today)
    types = queries.by_residence_type(qs)
    found = Overview(
        region=region,
        today=today,
        # Residence type is required, so its counts add up to the total: one scan fewer.
        total=sum(r.count for r in types),
        residence_types=types,
        sexes=queries.by_sex(qs),
        pyramid=pyramid,
        undated=undated,
        ethnicities=queries.by_dictionary(qs, "ethnicity", "ethnicity"),
        educations=queries.by_dictionary(qs, "education", "education"),
        categories=queries.by_category(user, region),
        trend=queries.flow_trend(user, region, today),
        children=queries.children(qs, region),
    )
    found.kpis = [
        ("total", "实有人口", found.total),
        *((f"type_{r.value}", r.label, r.count) for r in types),
        ("children", f"0-{CHILDREN_AGE - 1}岁", _band_sum(pyramid, 0, CHILDREN_AGE)),
        ("elderly", f"{ELDERLY_AGE}岁及以上", _band_sum(pyramid, ELDERLY_AGE)),
    ]
    return found


def _rows(rows: list[queries.Row]) -> dict:
    return {
        "labels": [r.label for r in rows],
        "values": [r.value for r in rows],
        "counts": [r.count for r in rows],
    }


def chart_data(found: Overview) -> dict:
    """The series the page's ECharts draw (`static/citygrid/population_stats.js`)."""
    return {
        "region": {"code": found.region.code, "name": found.region.name},
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
            {"code": c.code, "name": c.label, "total": c.total, "drill": c.region is not None}
            for c in found.children
        ],
    }


def _trail(user, region: Region) -> list[Region]:
    return [r for r in region.ancestors() if user.covers(r.code)] + [region]


def _picker(user, region: Region) -> list[tuple[str, str]]:
    regions = list(Region.objects.in_scope(user).filter(level__in=PICKER_LEVELS).order_by("code"))
    if region not in regions:
        regions.append(region)
    return [(r.code, f"{'　' * (len(r.code) // 3 - 1)}{r.name}") for r in regions]


class OverviewView(LoginRequiredMixin, View):
    template_name = "people/stats.html"

    def get(self, request):
        region = selected_region(request)
        found = overview(request.user, region, timezone.localdate())
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
        return JsonResponse(chart_data(overview(request.user, region, timezone.localdate())))


class ExportView(LoginRequiredMixin, View):
    def get(self, request):
        region = selected_region(request)
        found = overview(request.user, region, timezone.localdate())
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
