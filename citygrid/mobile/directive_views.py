"""我的指令 in the grid app: directives received, opened (read), 签收 and 反馈 from the phone.

The same actions as the desk inbox (notify.directives); only the pages are the app's. Posting
needs the network: 签收 and 反馈 are not queued offline.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from citygrid.mobile.views import page_context
from citygrid.notify.choices import RECEIPT_STATE_BADGE
from citygrid.notify.directives import actions
from citygrid.notify.directives.forms import AnswerForm
from citygrid.notify.directives.views import acknowledge_or_answer, own_receipt, render_receipt
from citygrid.notify.models import DirectiveReceipt

# The list shows the latest ones; older directives are read on the desk.
MY_DIRECTIVES_LIMIT = 30
TEMPLATE = "mobile/directive_detail.html"


def _extra(request, receipt) -> dict:
    return {
        **page_context(request),
        "action_url": reverse("mobile:directive_act", args=[receipt.pk]),
        "mobile": True,
    }


@login_required
def directive_list(request):
    receipts = (
        DirectiveReceipt.objects.filter(recipient=request.user)
        .select_related("directive__sender")
        .order_by("-created", "-pk")[: MY_DIRECTIVES_LIMIT + 1]
    )
    rows = [(r, RECEIPT_STATE_BADGE[r.state]) for r in receipts]
    return render(
        request,
        "mobile/directive_list.html",
        page_context(
            request,
            rows=rows[:MY_DIRECTIVES_LIMIT],
            more=len(rows) > MY_DIRECTIVES_LIMIT,
            limit=MY_DIRECTIVES_LIMIT,
        ),
    )


@login_required
def directive_detail(request, receipt_id: int):
    receipt = own_receipt(request.user, receipt_id)
    actions.mark_read(receipt, request.user)
    return render_receipt(request, receipt, TEMPLATE, AnswerForm(), **_extra(request, receipt))


@login_required
@require_POST
def directive_act(request, receipt_id: int):
    receipt = own_receipt(request.user, receipt_id)
    refused = acknowledge_or_answer(request, receipt.pk, TEMPLATE, **_extra(request, receipt))
    return refused or redirect("mobile:directive", receipt.pk)
