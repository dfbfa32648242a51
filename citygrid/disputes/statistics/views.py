"""统计汇总 page and its Excel export.

Scope: no `disputes.view_dispute` → 403 (the export also needs `disputes.export_dispute`); the
region must be in the user's territory (`Region.objects.in_scope`), and then so is everything the
figures count (the region's subtree). Bad input (a bad date, from > to, a region outside the
territory) renders the form's Chinese errors with status 400 and no figures.
"""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from citygrid.core.io.files import CONTENT_TYPES, add_sheet, new_workbook, workbook_bytes
from citygrid.core.middleware import client_ip
from citygrid.core.models import AccessLog
from citygrid.core.routers import replica_reads
from citygrid.disputes.models import Dispute
from citygrid.disputes.statistics.compute import DisputeStatistics, compute
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

VIEW_PERMISSION = "disputes.view_dispute"
EXPORT_PERMISSION = "disputes.export_dispute"
# Levels offered in the picker; communities are reached through the ranking's links.
PICKER_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
OUTSIDE = "区域不存在或不在您的管辖范围内"
DATE_ERRORS = {"required": "请填写日期", "invalid": "日期格式不正确，应为 年-月-日"}


class StatsForm(forms.Form):
    region = forms.ChoiceField(label="区域", error_messages={"invalid_choice": OUTSIDE})
    start = forms.DateField(
        label="开始日期",
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="结束日期",
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.user = user
        regions = list(
            Region.objects.in_scope(user).filter(level__in=PICKER_LEVELS).order_by("code")
        )
        requested = Region.objects.in_scope(user).filter(code=data.get("region")).first()
        if requested and requested not in regions:
            regions.append(requested)  # a community reached from the ranking
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [
            (r.code, f"{'　' * (len(r.code) // 3 - 1)}{r.name}") for r in regions
        ]
        for name, f in self.fields.items():
            f.widget.attrs["class"] = "form-select" if name == "region" else "form-control"

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("开始日期不能晚于结束日期")
        return data

    @property
    def chosen_region(self) -> Region:
        return self.regions[self.cleaned_data["region"]]


def _default_region(user) -> str:
    if user.is_superuser:
        root = Region.objects.filter(parent__isnull=True).order_by("code").first()
        return root.code if root else ""
    codes = sorted(user.scope_codes())
    return codes[0] if codes else ""


def _form(request, permissions: tuple[str, ...]) -> StatsForm:
    user = request.user
    if not all(user.has_perm(p) for p in permissions):
        raise PermissionDenied("您没有查看纠纷统计的权限")
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("region", _default_region(user))
    data.setdefault("start", today.replace(day=1).isoformat())
    data.setdefault("end", today.isoformat())
    return StatsForm(data, user=user)


def _statistics(form: StatsForm) -> DisputeStatistics:
    with replica_reads():  # statistics: the read replica's, when one is configured
        return compute(form.chosen_region, form.cleaned_data["start"], form.cleaned_data["end"])


def _errors(form: StatsForm) -> list[str]:
    return [message for messages in form.errors.values() for message in messages]


def _kpis(stats: DisputeStatistics) -> list[tuple[str, str, str]]:
    """(key, label, value) of the summary cards, in the order the export lists them too."""
    f = stats.figures
    return [
        ("total", "纠纷总数", str(f.total)),
        ("concluded", "已办结", str(f.concluded)),
        ("resolved", "调处成功", str(f.resolved)),
        ("success_rate", "调处成功率", f.success_rate_display),
        ("on_time_rate", "按期办结率", f.on_time_rate_display),
        ("petition", "越级上访风险", str(f.petition)),
        ("mass_incident", "群体性事件风险", str(f.mass_incident)),
        ("repeat", "重复纠纷", str(f.repeat)),
    ]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _chart(stats: DisputeStatistics) -> dict:
    """The series `static/citygrid/dispute_stats.js` draws."""
    return {
        "category": {
            "names": [s.label for s in stats.by_category],
            "counts": [s.count for s in stats.by_category],
        },
        "level": [{"name": s.label, "value": s.count} for s in stats.by_level],
        "outcome": [{"name": s.label, "value": s.count} for s in stats.by_outcome],
        "ranking": {
            "names": [r.region.name for r in stats.ranking],
            "totals": [r.figures.total for r in stats.ranking],
            "resolved": [r.figures.resolved for r in stats.ranking],
            "success_rates": [_percent(r.figures.success_rate) for r in stats.ranking],
        },
    }


def _drill(request, region: Region) -> str:
    params = request.GET.copy()
    params["region"] = region.code
    return params.urlencode()


class StatsView(LoginRequiredMixin, View):
    template_name = "disputes/stats.html"

    def get(self, request):
        form = _form(request, (VIEW_PERMISSION,))
        context = {"form": form, "query": request.GET.urlencode()}
        if not form.is_valid():
            context["errors"] = _errors(form)
            return render(request, self.template_name, context, status=400)
        stats = _statistics(form)
        # Children with regions under them link to their own statistics (one query for all).
        parents = set(
            Region.objects.filter(parent__in=[row.region for row in stats.ranking])
            .values_list("parent_id", flat=True)
            .distinct()
        )
        context.update(
            stats=stats,
            kpis=_kpis(stats),
            ranking=[
                (rank, row, _drill(request, row.region) if row.region.pk in parents else "")
                for rank, row in enumerate(stats.ranking, start=1)
            ],
            chart=_chart(stats),
            can_export=request.user.has_perm(EXPORT_PERMISSION),
        )
        return render(request, self.template_name, context)


def _share_rows(shares) -> list[list]:
    return [[s.label, s.count] for s in shares]


def workbook(stats: DisputeStatistics) -> tuple[bytes, int]:
    """汇总, the three breakdowns and the ranking; rates as Excel percentages (empty: none)."""
    f = stats.figures
    wb = new_workbook()
    summary = add_sheet(
        wb,
        "汇总",
        ["指标", "数值"],
        [
            ["区域", stats.region.name],
            ["统计期间", f"{stats.first_day:%Y-%m-%d} 至 {stats.last_day:%Y-%m-%d}"],
            ["纠纷总数", f.total],
            ["已办结", f.concluded],
            ["调处成功", f.resolved],
            ["调处成功率", f.success_rate],
            ["按期办结率", f.on_time_rate],
            ["越级上访风险", f.petition],
            ["群体性事件风险", f.mass_incident],
            ["重复纠纷", f.repeat],
        ],
    )
    for row in (7, 8):
        summary.cell(row, 2).number_format = "0.0%"
    add_sheet(wb, "按类别", ["纠纷类别", "纠纷数"], _share_rows(stats.by_category))
    add_sheet(wb, "按等级", ["纠纷等级", "纠纷数"], _share_rows(stats.by_level))
    add_sheet(wb, "按调处结果", ["调处结果", "纠纷数"], _share_rows(stats.by_outcome))
    ranking = add_sheet(
        wb,
        "下级排名",
        ["排名", "区划代码", "区域名称", "纠纷总数", "调处成功", "调处成功率", "按期办结率"],
        [
            [
                rank,
                r.region.code,
                r.region.name,
                r.figures.total,
                r.figures.resolved,
                r.figures.success_rate,
                r.figures.on_time_rate,
            ]
            for rank, r in enumerate(stats.ranking, start=1)
        ],
    )
    for row in ranking.iter_rows(min_row=2, min_col=6, max_col=7):
        for cell in row:
            cell.number_format = "0.0%"
    return workbook_bytes(wb), len(stats.ranking) + 1


class ExportView(LoginRequiredMixin, View):
    def get(self, request):
        form = _form(request, (VIEW_PERMISSION, EXPORT_PERMISSION))
        if not form.is_valid():
            context = {"form": form, "errors": _errors(form), "query": request.GET.urlencode()}
            return render(request, StatsView.template_name, context, status=400)
        stats = _statistics(form)
        data, count = workbook(stats)
        label = f"{stats.first_day:%Y-%m-%d} 至 {stats.last_day:%Y-%m-%d}"
        AccessLog.objects.create(
            user=request.user,
            user_name=request.user.get_username(),
            action=AccessLog.Action.EXPORT,
            content_type=ContentType.objects.get_for_model(Dispute),
            record_count=count,
            detail=f"纠纷统计 xlsx 区域={stats.region.code} 期间={label}"[:500],
            ip=client_ip(request),
        )
        response = HttpResponse(data, content_type=CONTENT_TYPES["xlsx"])
        filename = f"dispute_stats_{stats.first_day:%Y%m%d}_{stats.last_day:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
