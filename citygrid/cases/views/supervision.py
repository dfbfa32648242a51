"""督办单: the list, the order with its answer form, and the answer endpoint."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from citygrid.cases import filtersets, tables
from citygrid.cases.forms import SupervisionAnswerForm
from citygrid.cases.models import SupervisionOrder
from citygrid.cases.supervision import SupervisionNotFound, answer_supervision, can_answer
from citygrid.cases.views.common import ListView
from citygrid.core.errors import ActionError
from citygrid.core.views import generic

RELATED = ("case", "dispute", "department", "issued_by", "answered_by")


class SupervisionOrderListView(ListView):
    model = SupervisionOrder
    queryset = SupervisionOrder.objects.select_related(*RELATED)
    table = tables.SupervisionOrderTable
    filterset = filtersets.SupervisionOrderFilterSet
    template_name = "cases/countdown_list.html"


class SupervisionOrderExportView(generic.ExportView):
    model = SupervisionOrder
    queryset = SupervisionOrder.objects.select_related(*RELATED)
    filterset = filtersets.SupervisionOrderFilterSet


class SupervisionOrderView(generic.ObjectView):
    model = SupervisionOrder
    queryset = SupervisionOrder.objects.select_related(*RELATED)

    def extra_context(self, obj):
        try:
            can_answer(obj, self.request.user)
        except ActionError:
            return {"answer_form": None}
        return {"answer_form": SupervisionAnswerForm()}


class SupervisionOrderChangeLogView(generic.ObjectChangeLogView):
    model = SupervisionOrder


@login_required
@require_POST
def supervision_answer(request, pk: int):
    order = get_object_or_404(SupervisionOrder.objects.restrict(request.user, "view"), pk=pk)
    try:
        answer_supervision(order, actor=request.user, answer=request.POST.get("answer", ""))
    except SupervisionNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能回复督办：{exc.message}")
    except ValidationError as exc:
        messages.error(request, f"未能回复督办：{'；'.join(exc.messages)}")
    else:
        messages.success(request, "已回复督办单")
    return redirect(order)
