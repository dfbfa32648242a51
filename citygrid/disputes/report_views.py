"""The reports' pages: the list (the user's territory, by kind, status, level, period and
place), one report as readable tables with its lower levels' reports of the same period rolled
up, and the 上报 button."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from citygrid.core import dictionaries
from citygrid.core.errors import ActionError
from citygrid.core.views import generic
from citygrid.disputes import reports
from citygrid.disputes.choices import DisputeLevel, Outcome, ReportStatus
from citygrid.disputes.filtersets_reports import DisputeReportFilterSet
from citygrid.disputes.models import CATEGORY_DICTIONARY, DisputeReport
from citygrid.disputes.tables_reports import DisputeReportTable
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

ROLLED_UP = ("new", "urgent", "concluded", "archived", "backlog", "overdue")


class ReportViewMixin:
    model = DisputeReport
    queryset = DisputeReport.objects.select_related("region", "submitted_by")

    def base_context(self) -> dict:
        return {**super().base_context(), "list_url": reverse("disputes:report_list")}


class ReportListView(ReportViewMixin, generic.ObjectListView):
    table = DisputeReportTable
    filterset = DisputeReportFilterSet
    template_name = "disputes/report_list.html"


def _figures(content: dict) -> dict:
    """The headline numbers of a report's content, for the roll-up table."""
    return {
        "new": content["new"]["total"],
        "urgent": content["urgent"]["total"],
        "concluded": content["concluded"]["total"],
        "archived": content["archived"],
        "backlog": content["backlog"],
        "overdue": content["overdue"],
    }


def readable(content: dict) -> dict:
    """Codes turned into their Chinese labels, largest first."""
    categories = sorted(content["new"]["by_category"].items(), key=lambda kv: (-kv[1], kv[0]))
    levels = content["new"]["by_level"]
    return {
        "categories": [(dictionaries.label(CATEGORY_DICTIONARY, c), n) for c, n in categories],
        "levels": [(label, levels.get(value, 0)) for value, label in DisputeLevel.choices],
        "outcomes": [
            (label, content["concluded"].get(value, 0)) for value, label in Outcome.choices
        ],
        "urgent": [
            {**item, "level": reports.level_label(item["level"])}
            for item in content["urgent"]["items"]
        ],
    }


class ReportView(ReportViewMixin, generic.ObjectView):
    template_name = "disputes/report_detail.html"

    def extra_context(self, obj) -> dict:
        user = self.request.user
        lower = list(
            DisputeReport.objects.restrict(user, "view")
            .filter(kind=obj.kind, period_start=obj.period_start, region__parent=obj.region)
            .select_related("region")
            .order_by("region_code")
        )
        rows = [(report, _figures(report.content)) for report in lower]
        totals = {name: sum(figures[name] for _, figures in rows) for name in ROLLED_UP}
        # The lower reporting level's regions without a report filed nothing: a 零报告.
        filed = {report.region_id for report in lower}
        quiet = (
            Region.objects.filter(parent=obj.region, level__in=reports.REPORTING_LEVELS)
            .exclude(pk__in=filed)
            .only("id", "name")
            .order_by("code")
            if obj.region.level != RegionLevel.COMMUNITY  # a community's children are grids
            else Region.objects.none()
        )
        return {
            "readable": readable(obj.content),
            "lower": rows,
            "lower_totals": totals,
            "lower_submitted": sum(r.status == ReportStatus.SUBMITTED for r in lower),
            "quiet": list(quiet),
            "can_submit": obj.status == ReportStatus.COMPILED and user.has_perm(reports.PERMISSION),
            "above": reports.level_above(obj.region),
        }


@login_required
@require_POST
def report_submit(request, pk: int):
    report = get_object_or_404(DisputeReport.objects.restrict(request.user, "view"), pk=pk)
    try:
        reports.submit_report(report, actor=request.user)
    except reports.ReportNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能上报：{exc.message}")
    else:
        messages.success(request, "报告已上报")
    return redirect(report)
