"""Dispute screens: the list, the registration form, the dispute page with its timeline and
actions, the endpoint each action posts to, the signed-copy upload and the dispute desk. Every
rule is the engine's (`intake`, `actions`, `workflow`); these views translate its answers
(`ActionError`) into messages."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from citygrid.cases.forms import ActionForm
from citygrid.cases.models import SupervisionOrder
from citygrid.cases.views.common import ListView
from citygrid.core import files
from citygrid.core.errors import ActionError
from citygrid.core.listing import per_page
from citygrid.core.middleware import client_ip
from citygrid.core.models import AccessLog
from citygrid.core.paginator import BoundedPaginator
from citygrid.core.views import generic
from citygrid.disputes import actions, agreements, intake
from citygrid.disputes.errors import DisputeNotFound
from citygrid.disputes.filtersets import DisputeFilterSet
from citygrid.disputes.forms import (
    INITIAL_PARTIES,
    PartyForm,
    PartyFormSet,
    RegistrationForm,
    SignedCopyForm,
)
from citygrid.disputes.models import Dispute, DisputeEvent, MediationAgreement
from citygrid.disputes.tables import DisputeTable
from citygrid.disputes.templatetags.dispute_tags import action_label
from citygrid.disputes.workflow import DISPUTES
from citygrid.regions.geo.tiles import map_config

RELATED = ("department", "region", "verifying_region", "reporter")

# --- list and export --------------------------------------------------------------------------


class DisputeListView(ListView):
    model = Dispute
    queryset = Dispute.objects.select_related("department")
    table = DisputeTable
    filterset = DisputeFilterSet
    template_name = "cases/countdown_list.html"


class DisputeExportView(generic.ExportView):
    model = Dispute
    queryset = Dispute.objects.select_related("department")
    filterset = DisputeFilterSet


class DisputeChangeLogView(generic.ObjectChangeLogView):
    model = Dispute


# --- the dispute page -------------------------------------------------------------------------


@dataclass
class TimelineRow:
    event: DisputeEvent
    label: str
    detail: str


def _detail(event: DisputeEvent) -> str:
    data = event.data
    if event.action == "dispatch" and event.department:
        due = data.get("due_at", "")[:10]
        return f"交办至 {event.department}，办结时限 {due}"
    if event.action == "assess":
        risks = "、".join(data.get("risks", []))
        return f"纠纷等级：{event.dispute.get_level_display()}" + (
            f"；风险：{risks}" if risks else ""
        )
    if event.action == "schedule":
        return f"调解地点：{data.get('place', '')}"
    if event.action in ("verify_pass", "verify_final", "verify_fail") and data.get("level"):
        from citygrid.regions.choices import RegionLevel

        return f"{RegionLevel(data['level']).label}核查"
    if event.action == "archive":
        return f"当事人满意度 {data.get('satisfaction')} 分"
    if event.action == "follow_up":
        return f"回访日期 {data.get('due_date', '')}"
    return ""


def can_see_parties(user) -> bool:
    return user.has_perm("disputes.view_party_dispute") or user.can_view_sensitive()


class DisputeView(generic.ObjectView):
    model = Dispute
    queryset = Dispute.objects.select_related(*RELATED)

    def extra_context(self, obj):
        user = self.request.user
        reveal = can_see_parties(user)
        parties = list(obj.parties.all())
        if reveal and parties:
            # Who read the parties' names and numbers in clear, and when.
            AccessLog.objects.create(
                user=user,
                user_name=user.get_username(),
                action=AccessLog.Action.VIEW_SENSITIVE,
                content_type=ContentType.objects.get_for_model(Dispute),
                object_id=obj.pk,
                record_count=len(parties),
                detail="纠纷当事人信息",
                ip=client_ip(self.request),
            )
        events = obj.events.select_related("department", "dispute")
        available = actions.available_actions(obj, user)
        return {
            "parties": [
                {
                    "party": p,
                    "name": p.name if reveal else p.masked("name"),
                    "id_number": p.id_number if reveal else p.masked("id_number"),
                    "phone": p.phone if reveal else p.masked("phone"),
                }
                for p in parties
            ],
            "timeline": [TimelineRow(e, action_label(e.action), _detail(e)) for e in events],
            "sessions": obj.sessions.all(),
            "agreement": getattr(obj, "agreement", None),
            "follow_ups": obj.follow_ups.select_related("assignee"),
            "supervision_orders": SupervisionOrder.objects.restrict(user, "view")
            .filter(dispute=obj)
            .select_related("department"),
            "action_forms": [
                (t, ActionForm(transition=t, case=obj, user=user, workflow=DISPUTES))
                for t in available
            ],
            "signed_form": SignedCopyForm(),
            "party_form": PartyForm(prefix="new-party") if obj.is_open else None,
            "can_upload_signed": user.has_perm("disputes.mediate_dispute")
            and (user.is_superuser or obj.department_id in DISPUTES.department_ids(user)),
        }


@login_required
@require_POST
def dispute_act(request, pk: int, action: str):
    """Take one transition. A refusal changes nothing and comes back as an error message."""
    transition = DISPUTES.by_action.get(action)
    if transition is None:
        raise Http404
    dispute = get_object_or_404(
        Dispute.objects.restrict(request.user, "view").select_related(*RELATED), pk=pk
    )
    try:
        # "No permission" beats "field required".
        DISPUTES.guard(transition, dispute, request.user)
        form = ActionForm(
            request.POST, transition=transition, case=dispute, user=request.user, workflow=DISPUTES
        )
        if not form.is_valid():
            raise ActionError("invalid_input", form.error_text(), 400)
        dispute = actions.perform(action, dispute, actor=request.user, inputs=form.cleaned_data)
    except DisputeNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能执行“{transition.label}”：{exc.message}")
    else:
        messages.success(request, f"已执行“{transition.label}”：{dispute.number}")
    return redirect(dispute)


@login_required
@require_POST
def party_add(request, pk: int):
    """补充登记当事人 on an open dispute (`actions.add_party`)."""
    dispute = get_object_or_404(Dispute.objects.restrict(request.user, "view"), pk=pk)
    form = PartyForm(request.POST, prefix="new-party")
    party = form.party() if form.is_valid() else None
    if party is None:
        messages.error(request, "未能登记当事人：请填写当事人类型、个人/组织和姓名或名称")
        return redirect(dispute)
    try:
        actions.add_party(dispute, actor=request.user, party=party)
    except DisputeNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能登记当事人：{exc.message}")
    else:
        messages.success(
            request, f"已补充登记{party.side == 'applicant' and '申请人' or '被申请人'}"
        )
    return redirect(dispute)


@login_required
def agreement_document(request, pk: int):
    """The 调解协议书 PDF, rendered on first request; served like every private file."""
    dispute = get_object_or_404(Dispute.objects.restrict(request.user, "view"), pk=pk)
    agreement = get_object_or_404(MediationAgreement, dispute=dispute)
    try:
        document = agreements.document(agreement, actor=request.user)
    except ActionError as exc:
        messages.error(request, f"未能生成调解协议书：{exc.message}")
        return redirect(dispute)
    return files.respond(document)


@login_required
@require_POST
def signed_copy(request, pk: int):
    dispute = get_object_or_404(Dispute.objects.restrict(request.user, "view"), pk=pk)
    form = SignedCopyForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, "未能上传：" + "；".join(e for es in form.errors.values() for e in es)
        )
        return redirect(dispute)
    try:
        actions.attach_signed_copy(
            dispute, actor=request.user, upload=form.cleaned_data["signed_copy"]
        )
    except DisputeNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能上传：{exc.message}")
    else:
        messages.success(request, "已上传签字盖章的调解协议书")
    return redirect(dispute)


# --- registration -----------------------------------------------------------------------------


@login_required
def dispute_register(request):
    """登记受理 at a desk: the community, township, department or centre."""
    user = request.user
    if not user.has_perm("disputes.add_dispute"):
        raise PermissionDenied("您没有登记矛盾纠纷的权限")
    if request.method == "POST":
        form = RegistrationForm(request.POST, user=user)
        parties = PartyFormSet(request.POST, prefix="party")
        if form.is_valid() and parties.is_valid():
            found = [p for p in (f.party() for f in parties.forms) if p is not None]
            try:
                dispute = intake.register_dispute(form.registration(found), actor=user)
            except ActionError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已登记矛盾纠纷 {dispute.number}，等待研判")
                return redirect(dispute)
    else:
        form = RegistrationForm(user=user)
        parties = PartyFormSet(prefix="party", initial=INITIAL_PARTIES)
    return render(
        request,
        "disputes/register.html",
        {"form": form, "parties": parties, "map_config": map_config()},
    )


# --- the dispute desk -------------------------------------------------------------------------

TABS = {"todo": "待办", "overdue": "超期", "supervised": "督办中"}


@login_required
def desk(request):
    """纠纷待办: the disputes on which the user holds a duty now (the workflow table's to-do
    filter, one SQL condition), the overdue ones among the open disputes in their territory,
    and those under an open 督办单."""
    user = request.user
    if not user.has_perm("disputes.view_dispute"):
        raise PermissionDenied("您没有查看矛盾纠纷的权限")
    tab = request.GET.get("tab", "todo")
    if tab not in TABS:
        tab = "todo"
    visible = Dispute.objects.restrict(user, "view").select_related(
        "department", "verifying_region"
    )
    if tab == "todo":
        rows = visible.filter(DISPUTES.todo_q(user)).order_by("step_deadline", "id")
    elif tab == "overdue":
        rows = visible.filter(
            state__in=DISPUTES.open_states, step_deadline__lte=timezone.now()
        ).order_by("step_deadline", "id")
    else:
        rows = visible.filter(
            pk__in=SupervisionOrder.objects.filter(dispute__isnull=False, status="open").values(
                "dispute_id"
            )
        ).order_by("step_deadline", "id")
    page = BoundedPaginator(rows, per_page(request, 20)).get_page(request.GET.get("page"))
    department_ids = DISPUTES.department_ids(user)
    return render(
        request,
        "disputes/desk.html",
        {
            "tab": tab,
            "tabs": TABS,
            "tab_label": TABS[tab],
            "page": page,
            "rows": [(d, DISPUTES.available(d, user, department_ids)) for d in page],
        },
    )
