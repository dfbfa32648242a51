"""Field work: patrol and verification tasks, and the visit log."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from citygrid.cases import filtersets, tables
from citygrid.cases.fieldwork import TaskNotFound, can_complete, complete_task
from citygrid.cases.forms import TaskDoneForm, TaskForm, VisitForm
from citygrid.cases.models import Task, Visit
from citygrid.cases.views.common import ListView, map_config
from citygrid.core.errors import ActionError
from citygrid.core.views import generic

# --- tasks ------------------------------------------------------------------------------------


class TaskListView(ListView):
    """My tasks first, then open before done, the nearest due date first."""

    model = Task
    queryset = Task.objects.select_related("region", "assignee", "case")
    table = tables.TaskTable
    filterset = filtersets.TaskFilterSet
    template_name = "cases/countdown_list.html"

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
    queryset = Task.objects.select_related("region", "assignee", "case")
    filterset = filtersets.TaskFilterSet


class TaskView(generic.ObjectView):
    model = Task
    queryset = Task.objects.select_related("region", "assignee", "case")

    def extra_context(self, obj):
        try:
            can_complete(obj, self.request.user)
        except ActionError:
            done_form = None
        else:
            done_form = TaskDoneForm()
        points = [{"lng": p["lng"], "lat": p["lat"], "label": p["name"]} for p in obj.checkpoints]
        return {
            "done_form": done_form,
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
