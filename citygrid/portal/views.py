"""Pages of the citizens' portal (no login) and the staff review of held reports."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from citygrid.cases.choices import CaseState
from citygrid.cases.intake import Report
from citygrid.cases.models import Case, CaseAttachment
from citygrid.core import files
from citygrid.core.errors import ActionError
from citygrid.core.middleware import client_ip
from citygrid.portal import services
from citygrid.portal.forms import TOKEN_RE, DiscardForm, FollowForm, RatingForm, ReportForm
from citygrid.portal.models import CitizenRating, HeldReport
from citygrid.regions.geo.tiles import map_config

# What each state means to the person who reported, in plain words.
PUBLIC_STATE = {
    CaseState.REPORTED: "已收到，等待受理",
    CaseState.REGISTERED: "已受理，正在安排处置单位",
    CaseState.DISPATCHED: "已交处置单位",
    CaseState.HANDLING: "正在处置",
    CaseState.REPORTED_BACK: "已处置，等待现场核查",
    CaseState.VERIFIED: "核查通过，等待办结",
    CaseState.CLOSED: "已办结",
    CaseState.SUSPENDED: "暂缓办理",
    CaseState.REJECTED: "经核实不予受理",
    CaseState.MERGED: "已与同一问题合并办理",
}
# The photos a citizen sees of their case: the report's and the result's, side by side once the
# case is closed (before that the result is not final), except those staff marked private.
# Inspectors' photos are internal evidence (they may show neighbours, plates, faces) and stay
# behind staff login.
PUBLIC_PHOTO_STAGES = (CaseAttachment.Stage.BEFORE, CaseAttachment.Stage.AFTER)


def public_photos(case: Case):
    """The photos of `case` the portal shows: none until it is closed."""
    if case.state != CaseState.CLOSED:
        return CaseAttachment.objects.none()
    return case.attachments.filter(stage__in=PUBLIC_PHOTO_STAGES, private=False)


# The steps a citizen sees on the timeline; internal ones (extensions, supervision...) are not.
PUBLIC_STEP = {
    "report": "提交上报",
    "register": "受理",
    "reject": "不予受理",
    "dispatch": "交处置单位办理",
    "accept": "处置单位签收",
    "report_back": "处置完成",
    "verify_pass": "现场核查通过",
    "verify_fail": "核查未通过，重新处置",
    "close": "办结",
    "reopen": "重新办理",
    "merge": "与同一问题合并办理",
    "suspend": "暂缓办理",
    "resume": "恢复办理",
    "evaluate": "评价",
}
LAST_KEY = "portal_last_report"


def _new_token() -> str:
    return uuid.uuid4().hex


def report(request):
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["homepage"]:
            # A robot filled the hidden field: nothing is stored, and it learns nothing.
            form.add_error(None, "提交失败，请刷新页面后重试")
        else:
            submitted = Report(
                category=data["category"],
                description=data["description"],
                lng=data["lng"],
                lat=data["lat"],
                address=data["address"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                anonymous=data["anonymous"],
                photos=data["photos"],
                idempotency_key=f"portal:{data['token']}",
            )
            try:
                result = services.submit_report(submitted, ip=client_ip(request))
            except ActionError as exc:
                field = {
                    "invalid_photo": "photos",
                    "invalid_phone": "reporter_phone",
                    "outside_grids": None,
                    "invalid_category": "category",
                }.get(exc.code)
                form.add_error(field, exc.message)
            else:
                if isinstance(result, Case):
                    services.grant(request.session, result)
                    request.session[LAST_KEY] = {"case": result.pk}
                else:
                    request.session[LAST_KEY] = {"held": result.pk}
                return redirect("portal:report_done")
    # A failed submit created nothing, so its token may be sent again.
    token = request.POST.get("token", "")
    if not TOKEN_RE.match(token):
        token = _new_token()
    return render(
        request,
        "portal/report.html",
        {"form": form, "token": token, "map_config": map_config()},
    )


def report_done(request):
    last = request.session.get(LAST_KEY) or {}
    case = Case.objects.filter(pk=last.get("case")).first() if last.get("case") else None
    held = "held" in last
    if case is None and not held:
        return redirect("portal:report")
    return render(request, "portal/report_done.html", {"case": case, "held": held})


def follow(request):
    # A case number (not personal data) may arrive in the link a WeChat reply carries.
    initial = {"number": request.GET.get("number", "")[:30]}
    form = FollowForm(request.POST or None, initial=initial)
    sent = False
    if request.method == "POST" and form.is_valid():
        number, phone = form.cleaned_data["number"], form.cleaned_data["phone"]
        if request.POST.get("action") == "send":
            case = services.find_case(number, phone)
            if case is not None:
                try:
                    services.send_code(phone)
                except ValueError:
                    form.add_error("phone", "手机号码格式不正确")
            sent = not form.errors
            # The same answer whether or not the pair matched: numbers cannot be probed.
        else:
            try:
                if not form.cleaned_data["code"]:
                    raise ActionError("code_required", "请填写短信验证码", 400)
                services.check_code(phone, form.cleaned_data["code"])
                case = services.find_case(number, phone)
                if case is None:
                    raise ActionError("not_found", "案件编号与手机号码不匹配", 404)
            except ActionError as exc:
                form.add_error("code" if exc.code != "not_found" else None, exc.message)
            else:
                services.grant(request.session, case)
                return redirect("portal:case", pk=case.pk)
    return render(request, "portal/follow.html", {"form": form, "sent": sent})


def _granted_case(request, pk: int) -> Case:
    if not services.granted(request.session, pk):
        raise Http404
    return get_object_or_404(Case.objects.select_related("category"), pk=pk)


def case_progress(request, pk: int):
    case = _granted_case(request, pk)
    steps = [
        (event.time, PUBLIC_STEP[event.action])
        for event in case.events.order_by("time", "id")
        if event.action in PUBLIC_STEP
    ]
    rating = CitizenRating.objects.filter(case=case).first()
    photos = list(public_photos(case))
    can_rate = case.state == CaseState.CLOSED and rating is None
    return render(
        request,
        "portal/case.html",
        {
            "case": case,
            "state_text": PUBLIC_STATE.get(case.state, case.get_state_display()),
            "steps": steps,
            "before_photos": [p for p in photos if p.stage == CaseAttachment.Stage.BEFORE],
            "after_photos": [p for p in photos if p.stage == CaseAttachment.Stage.AFTER],
            "rating": rating,
            "rating_form": RatingForm() if can_rate else None,
        },
    )


def case_photo(request, pk: int, photo: int, thumbnail: bool = False):
    case = _granted_case(request, pk)
    attachment = get_object_or_404(public_photos(case), pk=photo)
    return files.respond(attachment.thumbnail if thumbnail else attachment.image)


@require_POST
def case_rate(request, pk: int):
    case = _granted_case(request, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择满意度")
        return redirect("portal:case", pk=case.pk)
    try:
        services.rate_case(
            case,
            satisfaction=form.cleaned_data["satisfaction"],
            comment=form.cleaned_data["comment"],
        )
    except ActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "感谢您的评价")
    return redirect("portal:case", pk=case.pk)


# --- staff: held reports --------------------------------------------------------------------


@login_required
def heldreport_list(request):
    if not request.user.has_perm("portal.view_heldreport"):
        raise Http404
    status = request.GET.get("status") or HeldReport.Status.PENDING
    if status not in HeldReport.Status.values:
        status = HeldReport.Status.PENDING
    reports = (
        HeldReport.objects.restrict(request.user, "view")
        .filter(status=status)
        .select_related("category")[:200]
    )
    return render(
        request,
        "portal/heldreport_list.html",
        {"reports": reports, "status": status, "statuses": HeldReport.Status.choices},
    )


@login_required
def heldreport(request, pk: int):
    held = get_object_or_404(
        HeldReport.objects.restrict(request.user, "view").select_related("category", "case"),
        pk=pk,
    )
    can_review = (
        held.status == HeldReport.Status.PENDING
        and HeldReport.objects.restrict(request.user, "change").filter(pk=pk).exists()
    )
    return render(
        request,
        "portal/heldreport.html",
        {
            "object": held,
            "can_review": can_review,
            "discard_form": DiscardForm(),
            "show_reporter": not held.anonymous
            or request.user.has_perm("cases.view_reporter_case"),
        },
    )


@login_required
@require_POST
def heldreport_release(request, pk: int):
    try:
        # The view loads nothing: the service locks and scope-checks the row by this handle.
        case = services.release_held_report(HeldReport(pk=pk), actor=request.user)
    except ActionError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("portal:heldreport", pk=pk)
    messages.success(request, f"已放行，生成事件 {case.number}")
    return redirect("portal:heldreport", pk=pk)


@login_required
@require_POST
def heldreport_discard(request, pk: int):
    form = DiscardForm(request.POST)
    try:
        services.discard_held_report(
            HeldReport(pk=pk), actor=request.user, note=form.data.get("note", "")
        )
    except ActionError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "已丢弃")
    return redirect("portal:heldreport", pk=pk)
