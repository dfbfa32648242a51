"""Field work: patrol and verification tasks, and the visit log."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from citygrid.cases import filtersets, tables
from citygrid.cases.choices import TaskStatus
from citygrid.cases.fieldwork import (
    TaskNotFound,
    answer_verification,
    can_complete,
    complete_task,
    create_own_patrol,
    grid_worker_of,
    own_grids,
    send_verification,
)
from citygrid.cases.forms import (
    OwnPatrolForm,
    TaskDoneForm,
    TaskForm,
    VerificationAnswerForm,
    VerificationSendForm,
    VisitForm,
)
from citygrid.cases.models import Task, Visit
from citygrid.cases.views.common import ListView
from citygrid.core.errors import ActionError
from citygrid.core.views import generic
from citygrid.regions.geo.tiles import map_config

# --- tasks ------------------------------------------------------------------------------------


class TaskListView(ListView):
    """My tasks first, then open before done, the nearest due date first."""

    model = Task
    queryset = Task.objects.select_related("region", "assignee", "case")
    table = tables.TaskTable
    filterset = filtersets.TaskFilterSet
    template_name = "cases/task_list.html"

    def base_context(self) -> dict:
        return {**super().base_context(), "may_add_own": own_grids(self.request.user).exists()}

    def get_queryset(self, action=None):
        mine = models.Case(
            models.When(assignee=self.request.user, then=0),
            default=1,
            output_field=models.IntegerField(),
        )
        return (
            super()
            .get_queryset(action)
            .annotate(mine=mine)
            .order_by("mine", "status", F("due_at").asc(nulls_last=True), "-created")
        )


class TaskExportView(generic.ExportView):
    model = Task
    queryset = Task.objects.select_related("region", "assignee", "case", "sender")
    filterset = filtersets.TaskFilterSet


class TaskView(generic.ObjectView):
    model = Task
    queryset = Task.objects.select_related(
        "region", "assignee", "case", "sender", "person", "house"
    )

    def extra_context(self, obj):
        user = self.request.user
        try:
            can_complete(obj, user)
        except ActionError:
            done_form = None
        else:
            done_form = TaskDoneForm()
        answerable = (
            obj.target is not None and obj.status == TaskStatus.OPEN and obj.assignee_id == user.pk
        )
        points = [{"lng": p["lng"], "lat": p["lat"], "label": p["name"]} for p in obj.checkpoints]
        return {
            "done_form": done_form,
            "answer_form": VerificationAnswerForm() if answerable else None,
            "points": json.dumps(points),
            "boundary": json.dumps(obj.region.boundary) if obj.region.boundary else "",
            "map_config": map_config(),
        }


class TaskEditView(generic.ObjectEditView):
    model = Task
    form = TaskForm


class TaskDeleteView(generic.ObjectDeleteView):
    model = Task


class TaskChangeLogView(generic.ObjectChangeLogView):
    model = Task


@login_required
@require_POST
def task_done(request, pk: int):
    task = get_object_or_404(Task.objects.restrict(request.user, "view"), pk=pk)
    try:
        complete_task(task, actor=request.user, result=request.POST.get("result", ""))
    except TaskNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能完成任务：{exc.message}")
    except ValidationError as exc:
        messages.error(request, f"未能完成任务：{'；'.join(exc.messages)}")
    else:
        messages.success(request, f"任务“{task.title}”已完成")
    return redirect(task)


@login_required
@require_POST
def task_answer(request, pk: int):
    """The desk's answer to a 核查任务 (the grid app posts the same through its queue)."""
    task = get_object_or_404(Task.objects.restrict(request.user, "view"), pk=pk)
    form = VerificationAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核查结论：核实无误或信息有误")
        return redirect(task)
    try:
        answer_verification(task, actor=request.user, **form.cleaned_data)
    except TaskNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能提交核查结论：{exc.message}")
    else:
        messages.success(request, "核查结论已提交，发起人会收到通知")
    return redirect(task)


@login_required
def task_add_own(request):
    """A grid worker's own patrol task, in one of the grids they walk."""
    grids = own_grids(request.user)
    if not grids.exists():
        raise PermissionDenied("只有在岗的网格员、巡查员、监督员可以新建自己的巡查任务")
    form = OwnPatrolForm(request.POST or None, grids=grids)
    if request.method == "POST" and form.is_valid():
        try:
            task = create_own_patrol(actor=request.user, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已新建巡查任务“{task.title}”")
            return redirect(task)
    return render(request, "cases/task_add_own.html", {"form": form})


class SendVerificationView(View):
    """发起核查: a 核查任务 about one person or house, to the grid worker of its grid. The higher
    app routes it with its own model (`people`, `housing` sit above `cases`); the record is
    fetched through the sender's `restrict(user, "view")`, so out of territory is 404."""

    model = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.has_perm("cases.send_verification_task"):
            raise PermissionDenied("您没有发起核查任务的权限")
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, target, form):
        context = {
            "target": target,
            "form": form,
            "assignee": grid_worker_of(target.region),
            "kind_label": self.model._meta.verbose_name,
        }
        return render(request, "cases/verification_send.html", context)

    def _target(self, pk):
        queryset = self.model.objects.restrict(self.request.user, "view").select_related("region")
        return get_object_or_404(queryset, pk=pk)

    def get(self, request, pk: int):
        return self._page(request, self._target(pk), VerificationSendForm())

    def post(self, request, pk: int):
        target = self._target(pk)
        form = VerificationSendForm(request.POST)
        if form.is_valid():
            try:
                task = send_verification(target, actor=request.user, **form.cleaned_data)
            except ActionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已向{task.assignee}发起核查任务")
                return redirect(target)
        return self._page(request, target, form)


# --- visits -----------------------------------------------------------------------------------


class VisitListView(ListView):
    model = Visit
    queryset = Visit.objects.select_related("region", "visitor", "case")
    table = tables.VisitTable
    filterset = filtersets.VisitFilterSet


class VisitExportView(generic.ExportView):
    model = Visit
    queryset = Visit.objects.select_related("region", "visitor", "case")
    filterset = filtersets.VisitFilterSet


class VisitView(generic.ObjectView):
    model = Visit
    queryset = Visit.objects.select_related("region", "visitor", "case")

    def extra_context(self, obj):
        points = [{"lng": obj.lng, "lat": obj.lat, "label": obj.target}] if obj.lng else []
        return {"points": json.dumps(points), "map_config": map_config()}


class VisitEditView(generic.ObjectEditView):
    model = Visit
    form = VisitForm
    template_name = "cases/visit_edit.html"

    def extra_context(self, obj):
        return {"map_config": map_config()}


class VisitDeleteView(generic.ObjectDeleteView):
    model = Visit


class VisitChangeLogView(generic.ObjectChangeLogView):
    model = Visit
