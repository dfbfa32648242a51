"""Desk pages of directives: the ones I sent (or that were sent in my territory), the form, the
page of one with its receipts, and my inbox of directives received."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from citygrid.accounts.widgets import label, search_accounts
from citygrid.core.errors import ActionError
from citygrid.core.filtersets import INT_MAX
from citygrid.notify.choices import RECEIPT_STATE_BADGE, ReceiptState
from citygrid.notify.directives import actions, pickers, states
from citygrid.notify.directives.forms import AnswerForm, DirectiveForm
from citygrid.notify.directives.targets import KINDS, can_send
from citygrid.notify.models import Directive, DirectiveReceipt

PAGE_SIZE = 50


def visible_directives(user):
    return Directive.objects.restrict(user, "view")


def own_receipt(user, pk) -> DirectiveReceipt:
    """My copy of a directive; anyone else's answers 404 like one that does not exist."""
    receipt = (
        DirectiveReceipt.objects.select_related("directive__sender", "sms")
        .filter(pk=pk, recipient=user)
        .first()
    )
    if receipt is None:
        raise Http404("指令不存在")
    return receipt


def rows(receipts) -> list[tuple]:
    return [(r, RECEIPT_STATE_BADGE[r.state]) for r in receipts]


@login_required
@permission_required("notify.view_directive", raise_exception=True)
def directive_list(request):
    directives = (
        visible_directives(request.user)
        .select_related("sender")
        .annotate(
            total=Count("receipts"),
            acknowledged=Count("receipts", filter=~Q(receipts__acknowledged_at=None)),
            answered=Count("receipts", filter=~Q(receipts__answered_at=None)),
        )
        .order_by("-sent_at", "-pk")
    )
    page = Paginator(directives, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/directives/list.html",
        {"page": page, "can_send": can_send(request.user)},
    )


@login_required
def staff_search(request):
    """Matches for the 指定人员 picker (`directives/pickers.py`): in the sender's territory."""
    if not can_send(request.user):
        raise PermissionDenied("只有社区（村）及以上层级的人员可以下达指令")
    staff = pickers.staff_in_scope(request.user)
    found = search_accounts(staff, request.GET.get("q", ""))
    return JsonResponse({"results": [{"id": a.pk, "text": label(a)} for a in found]})


@login_required
def target_search(request, kind):
    """Matches for a searchable target kind (`TargetKind.search`) in the sender's territory."""
    if not can_send(request.user):
        raise PermissionDenied("只有社区（村）及以上层级的人员可以下达指令")
    spec = KINDS.get(kind)
    if spec is None or spec.search is None:
        raise Http404
    found = spec.search(request.user, request.GET.get("q", ""))
    return JsonResponse({"results": [{"id": key, "text": text} for key, text in found]})


@login_required
def directive_new(request):
    if not can_send(request.user):
        raise PermissionDenied("只有社区（村）及以上层级的人员可以下达指令")
    form = DirectiveForm(request.POST or None, request.FILES or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                directive = actions.send_directive(
                    request.user,
                    title=data["title"],
                    body=data["body"],
                    deadline=data["deadline"],
                    targets=form.targets(),
                    files=data["files"],
                )
            except ActionError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error(None, "；".join(exc.messages))
            else:
                count = directive.receipts.count()
                messages.success(request, f"指令已下达给 {count} 人")
                return redirect(directive)
    return render(request, "notify/directives/form.html", {"form": form}, status=status)


@login_required
@permission_required("notify.view_directive", raise_exception=True)
def directive_detail(request, pk):
    directive = visible_directives(request.user).select_related("sender").filter(pk=pk).first()
    if directive is None:
        raise Http404("指令不存在或不在您的管辖范围内")
    receipts = directive.receipts.select_related("recipient", "region", "sms", "directive")
    state = request.GET.get("state", "")
    if state == "sms_failed":
        receipts = receipts.filter(states.SMS_FAILED)
    elif state in ReceiptState.values:
        receipts = receipts.filter(states.state_q(state))
    else:
        state = ""
    page = Paginator(receipts.order_by("region_code", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notify/directives/detail.html",
        {
            "directive": directive,
            "files": directive.files.filter(receipt=None),
            "page": page,
            "rows": rows(page),
            "counts": states.counts(directive.receipts.all()),
            "states": ReceiptState.choices,
            "state": state,
            "can_remind": directive.sender_id == request.user.pk or request.user.is_superuser,
        },
    )


@login_required
@require_POST
def directive_remind(request, pk):
    """提醒 one recipient (`receipt`) or every one who has not acknowledged yet: the sender's."""
    directive = visible_directives(request.user).filter(pk=pk).first()
    if directive is None:
        raise Http404("指令不存在或不在您的管辖范围内")
    if directive.sender_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied("只有下达人可以提醒")
    receipts = directive.receipts.select_related("recipient", "directive").filter(answered_at=None)
    receipt_id = request.POST.get("receipt", "")
    if receipt_id:
        valid = receipt_id.isdigit() and int(receipt_id) <= INT_MAX
        receipts = receipts.filter(pk=int(receipt_id) if valid else 0)
    else:
        receipts = receipts.filter(acknowledged_at=None)
    count = actions.remind(list(receipts))
    if count:
        messages.success(request, f"已提醒 {count} 人")
    else:
        messages.info(request, "没有需要提醒的人员")
    return redirect(directive)


@login_required
def inbox(request):
    """我的指令: directives I received, newest first, unanswered ones on top."""
    receipts = (
        DirectiveReceipt.objects.filter(recipient=request.user)
        .select_related("directive__sender")
        .order_by(Q(answered_at=None).desc(), "-created", "-pk")
    )
    page = Paginator(receipts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/directives/inbox.html", {"page": page, "rows": rows(page)})


@login_required
def receipt_detail(request, pk):
    """One directive as its recipient sees it: opening it marks it read; 签收 and 反馈."""
    receipt = own_receipt(request.user, pk)
    actions.mark_read(receipt, request.user)
    return render_receipt(request, receipt, "notify/directives/receipt.html", AnswerForm())


def render_receipt(request, receipt, template, form, status=200, **extra):
    """The recipient's page of a directive; `extra` lets the phone app add its own context
    (`action_url` where the buttons post, the app's page context)."""
    context = {
        "action_url": reverse("notify:directive_receipt_act", args=[receipt.pk]),
        **extra,
    }
    return render(
        request,
        template,
        {
            **context,
            "receipt": receipt,
            "directive": receipt.directive,
            "badge": RECEIPT_STATE_BADGE[receipt.state],
            "files": receipt.directive.files.filter(receipt=None),
            "answer_files": receipt.files.all(),
            "form": form,
        },
        status=status,
    )


def acknowledge_or_answer(request, pk, template, **extra):
    """POST of the 签收 button (`acknowledge`) or the 反馈 form; None when it went through,
    else the page again with the refusal (status 400, nothing changed)."""
    receipt = own_receipt(request.user, pk)
    form = AnswerForm(request.POST, request.FILES)
    try:
        if "acknowledge" in request.POST:
            actions.acknowledge(receipt, request.user)
            messages.success(request, "已签收")
            return None
        if form.is_valid():
            actions.answer(
                receipt, request.user, form.cleaned_data["answer"], form.cleaned_data["files"]
            )
            messages.success(request, "已反馈")
            return None
    except ActionError as exc:
        form.add_error(None, exc.message)
    receipt.refresh_from_db()
    return render_receipt(request, receipt, template, form, status=400, **extra)


@login_required
@require_POST
def receipt_act(request, pk):
    refused = acknowledge_or_answer(request, pk, "notify/directives/receipt.html")
    return refused or redirect("notify:directive_receipt", pk)
