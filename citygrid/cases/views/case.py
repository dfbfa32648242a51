"""One case: the report form, the case page with its timeline and actions, and the endpoint
each action posts to. Every rule is the engine's (`intake`, `actions`); these views translate
its answers (`ActionError`) into messages."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from citygrid.cases import actions, fieldwork, filtersets, handover, intake, photos, tables
from citygrid.cases.calendar import current_calendar
from citygrid.cases.choices import Channel, Step, TimeUnit
from citygrid.cases.clock import limits_for
from citygrid.cases.errors import CaseNotFound
from citygrid.cases.forms import ActionForm, ReportForm
from citygrid.cases.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    SupervisionOrder,
    Task,
    Visit,
)
from citygrid.cases.routing import responsible_department
from citygrid.cases.templatetags.case_tags import action_label, level_label
from citygrid.cases.views.common import ListView
from citygrid.cases.workflow import CASES
from citygrid.core.errors import ActionError
from citygrid.core.views import generic
from citygrid.regions.geo.tiles import map_config

CASE_RELATED = ("category__parent", "department", "region", "possible_duplicate_of", "merged_into")

# --- list and export --------------------------------------------------------------------------


class CaseListView(ListView):
    model = Case
    queryset = Case.objects.select_related("category", "department")
    table = tables.CaseTable
    filterset = filtersets.CaseFilterSet
    template_name = "cases/countdown_list.html"


class CaseExportView(generic.ExportView):
    model = Case
    queryset = Case.objects.select_related("category", "department")
    filterset = filtersets.CaseFilterSet


class CaseChangeLogView(generic.ObjectChangeLogView):
    model = Case


# --- the timeline -----------------------------------------------------------------------------


@dataclass
class TimelineRow:
    event: CaseEvent
    label: str
    detail: str = ""
    step_label: str = ""  # the step whose clock this event left running
    finished_step: str = ""  # label of the step this event finished, if any
    used_hours: Decimal | None = None
    limit_hours: Decimal | None = None
    photos: list = field(default_factory=list)


def _limit_hours(case: Case) -> dict[str, Decimal]:
    """Every step's limit in hours at a fixed cost: one query, and the calendar's when a limit
    is counted in working days."""
    limits = limits_for(case)
    day_hours = Decimal(0)
    if any(unit == TimeUnit.WORKING_DAYS for _, unit in limits.values()):
        day_hours = current_calendar().day_seconds / 3600
    return {
        step: amount * day_hours if unit == TimeUnit.WORKING_DAYS else amount
        for step, (amount, unit) in limits.items()
    }


def _step_label(step: str) -> str:
    return Step(step).label if step in Step.values else step


def _detail(event: CaseEvent) -> str:
    data = event.data
    action = event.action
    if action == "dispatch" and event.department:
        return f"派遣至 {event.department}"
    if action in ("request_extension", "approve_extension", "deny_extension") and "hours" in data:
        return f"延期 {Decimal(data['hours']).normalize():f} 工作时"
    if action == "evaluate":
        return f"满意度 {data.get('satisfaction')} 分"
    if action == "merge":
        return f"合并至 {data.get('into_number', '')}"
    if action == "escalate":
        levels = level_label(data.get("from_level", "")), level_label(data.get("to_level", ""))
        return "处置层级 {} → {}".format(*levels)
    if action == "report" and data.get("channel") in Channel.values:
        return f"来源：{Channel(data['channel']).label}"
    return ""


def timeline(case: Case) -> list[TimelineRow]:
    """Every event in order. An event that finished a step shows the working hours it used
    against that step's limit (the time-limit table's, plus extensions approved during it)."""
    events = case.events.select_related("actor", "department").prefetch_related("attachments")
    limits = _limit_hours(case)
    rows = []
    step, extended = "", Decimal(0)
    for event in events:
        row = TimelineRow(
            event=event,
            label=action_label(event.action),
            detail=_detail(event),
            step_label=_step_label(event.step),
            photos=list(event.attachments.all()),
        )
        if event.elapsed_seconds is not None and step:
            row.finished_step = _step_label(step)
            row.used_hours = Decimal(event.elapsed_seconds) / 3600
            row.limit_hours = limits[step] + extended
        if event.elapsed_seconds is not None:
            extended = Decimal(0)
        if event.action == "approve_extension" and "hours" in event.data:
            extended += Decimal(event.data["hours"])
        step = event.step
        rows.append(row)
    return rows


def photo_stages(rows: list[TimelineRow]) -> dict[str, list]:
    """The case's photos by stage, from the timeline's (already loaded): the report's beside
    the description, and before / after / verification side by side once handled."""
    stages = {stage: [] for stage in CaseAttachment.Stage.values}
    for row in rows:
        for photo in row.photos:
            stages[photo.stage].append(photo)
    return stages


# --- the case page ----------------------------------------------------------------------------


class CaseView(generic.ObjectView):
    model = Case
    queryset = Case.objects.select_related(*CASE_RELATED)

    def extra_context(self, obj):
        user = self.request.user
        available = actions.available_actions(obj, user)
        visible = Case.objects.restrict(user, "view")
        rows = timeline(obj)
        return {
            "timeline": rows,
            "photos": photo_stages(rows),
            "can_set_photo_privacy": user.has_perm("cases.register_case"),
            "action_forms": [(t, ActionForm(transition=t, case=obj, user=user)) for t in available],
            "duplicate": visible.filter(pk=obj.possible_duplicate_of_id).first()
            if obj.possible_duplicate_of_id
            else None,
            "merged_cases": visible.filter(merged_into=obj),
            "suggested_department": responsible_department(obj) if obj.is_open else None,
            "supervision_orders": SupervisionOrder.objects.restrict(user, "view")
            .filter(case=obj)
            .select_related("department"),
            "tasks": Task.objects.restrict(user, "view").filter(case=obj),
            "points": json.dumps([{"lng": obj.lng, "lat": obj.lat, "label": obj.number}]),
            "map_config": map_config(),
        }


@login_required
@require_POST
def case_act(request, pk: int, action: str):
    """Take one transition. A refusal changes nothing and comes back as an error message."""
    transition = CASES.by_action.get(action)
    if transition is None:
        raise Http404
    case = get_object_or_404(
        Case.objects.restrict(request.user, "view").select_related(*CASE_RELATED), pk=pk
    )
    try:
        # Refuse a forbidden action before looking at its inputs: "no permission" beats
        # "field required".
        actions.guard(transition, case, request.user)
        form = ActionForm(
            request.POST, request.FILES, transition=transition, case=case, user=request.user
        )
        if not form.is_valid():
            raise ActionError("invalid_input", form.error_text(), 400)
        case = actions.perform(action, case, actor=request.user, inputs=form.cleaned_data)
    except CaseNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能执行“{transition.label}”：{exc.message}")
    else:
        messages.success(request, handover.done_text(action, transition.label, case))
    return redirect(case)


@login_required
@require_POST
def photo_privacy(request, pk: int, photo: int):
    """Keep a photo off the citizens' progress page, or put it back (`photos.set_private`):
    for those who screen reports (受理立案), on cases they may see."""
    case = get_object_or_404(Case.objects.restrict(request.user, "view"), pk=pk)
    if not request.user.has_perm("cases.register_case"):
        raise PermissionDenied("您没有设置照片公开范围的权限")
    attachment = get_object_or_404(case.attachments.select_related("case"), pk=photo)
    private = request.POST.get("private") == "1"
    if photos.set_private(attachment, private, actor=request.user):
        messages.success(
            request,
            "照片已设为不公开，群众进度页不再显示"
            if private
            else "照片已恢复公开，结案后群众可在进度页查看",
        )
    return redirect(case)


# --- reporting --------------------------------------------------------------------------------


def _source(request, user) -> tuple[Visit | None, Task | None]:
    """The visit or patrol task a report comes from ("转为事件"), if the user may see it."""
    params = request.POST if request.method == "POST" else request.GET
    visit = task = None
    if str(params.get("visit", "")).isdigit():
        visit = (
            Visit.objects.restrict(user, "view")
            .select_related("region")
            .filter(pk=params["visit"])
            .first()
        )
    if str(params.get("task", "")).isdigit():
        task = (
            Task.objects.restrict(user, "view")
            .select_related("region")
            .filter(pk=params["task"])
            .first()
        )
    return visit, task


def _initial(visit: Visit | None, task: Task | None) -> dict:
    if visit is not None:
        has_point = visit.lng is not None
        return {
            "visit": visit.pk,
            "description": visit.findings,
            "address": visit.place,
            "lng": visit.lng if has_point else visit.region.center_lng,
            "lat": visit.lat if has_point else visit.region.center_lat,
            "channel": Channel.GRID_APP,
        }
    if task is not None:
        return {
            "task": task.pk,
            "description": f"巡查任务“{task.title}”中发现：",
            "lng": task.region.center_lng,
            "lat": task.region.center_lat,
            "channel": Channel.GRID_APP,
        }
    return {}


@login_required
def case_report(request):
    """登记事件: a call-taker on the phone, or a grid worker turning a finding into a case."""
    user = request.user
    if not user.has_perm("cases.add_case"):
        raise PermissionDenied("您没有登记事件的权限")
    visit, task = _source(request, user)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    case = intake.report_case(form.report(), actor=user)
                    if visit is not None and (
                        visit.visitor_id == user.pk or user.has_perm("cases.change_visit")
                    ):
                        fieldwork.link_visit_case(visit, case)
            except ActionError as exc:
                form.add_error("photos" if exc.code == "invalid_photo" else None, exc.message)
            else:
                messages.success(request, f"已登记事件 {case.number}")
                return redirect(case)
    else:
        form = ReportForm(initial=_initial(visit, task))
    return render(
        request,
        "cases/case_report.html",
        {"form": form, "visit": visit, "task": task, "map_config": map_config()},
    )
