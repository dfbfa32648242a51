"""Category pages: special groups, vulnerable groups, key persons, at-risk youth, custodian
assignments, subsidies and one-stop requests, and the category section of the person page.

Need-to-know: special-group data needs `people.view_specialgroup`; a sealed (juvenile) record
shows only "已封存" to everyone but superusers; opening a special-group record is access-logged.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from citygrid.cases.models import Case
from citygrid.core import records
from citygrid.core.errors import ActionError
from citygrid.core.middleware import client_ip
from citygrid.core.models import AccessLog, ObjectChange
from citygrid.core.views import generic
from citygrid.people import filtersets_groups as filtersets
from citygrid.people import resources_groups  # noqa: F401  (registers the export columns)
from citygrid.people.care import overdue_categories, visible_care_records
from citygrid.people.choices import SPECIAL_GROUP_KINDS, VULNERABLE_GROUP_KINDS, Category
from citygrid.people.forms import groups as forms
from citygrid.people.models import (
    AtRiskYouth,
    CareRecord,
    CustodianAssignment,
    KeyPerson,
    Person,
    SpecialGroup,
    Subsidy,
    VulnerableGroup,
)
from citygrid.people.onestop import default_description, submit_request
from citygrid.people.sealing import can_see_sealed
from citygrid.people.tables import groups as tables

HIDDEN_FIELDS = {"id", "created", "last_updated", "membership"}


def shown(obj, name: str, reveal: bool) -> str:
    """A sensitive field as this user sees it: in clear only for roles that may see plaintext."""
    return getattr(obj, name) if reveal else obj.masked(name)


def detail_items(
    detail, names: list[str] | None = None, *, reveal: bool
) -> list[tuple[str, object]]:
    """(label, display value) of a record's fields (default: all of a kind's detail row)."""
    if detail is None:
        return []
    items = []
    for field in detail._meta.concrete_fields:
        visible = field.name not in HIDDEN_FIELDS if names is None else field.name in names
        if not visible:
            continue
        value = getattr(detail, field.name)
        if field.name in detail.sensitive_fields:
            value = shown(detail, field.name, reveal)
        elif hasattr(detail, f"get_{field.name}_label"):
            value = getattr(detail, f"get_{field.name}_label")()
        elif field.choices:
            value = getattr(detail, f"get_{field.name}_display")()
        elif isinstance(value, bool):
            value = "是" if value else "否"
        items.append((field.verbose_name, value if value not in (None, "") else "—"))
    return items


# --- memberships -------------------------------------------------------------------------------


class MembershipMixin:
    """Shared context of a membership page: custodian, overdue care, latest care records."""

    own_fields: list[str] = []

    def membership_context(self, obj) -> dict:
        user = self.request.user
        reveal = user.can_view_sensitive()
        category = obj.category_key()
        care = visible_care_records(
            CareRecord.objects.restrict(user, "view").filter(person=obj.person_id),
            user,
        ).filter(category=category)
        return {
            "person": obj.person,
            "category": category,
            "overdue": obj.active and category in overdue_categories(obj.person),
            "care_records": care[:10],
            "care_add": user.has_perm("people.add_carerecord") and obj.active,
            "own_items": detail_items(obj, self.own_fields, reveal=reveal),
            "helper_name": shown(obj, "helper_name", reveal),
            "helper_phone": shown(obj, "helper_phone", reveal),
        }


class SealedGuardMixin:
    """Edit, delete and history of a sealed record: superusers only (its history holds the
    kind and the details in clear)."""

    def get_object(self, action=None):
        obj = super().get_object(action)
        if obj.sealed and not can_see_sealed(self.request.user):
            raise PermissionDenied("该记录已依法封存")
        return obj


class SpecialGroupListView(generic.ObjectListView):
    model = SpecialGroup
    queryset = SpecialGroup.objects.select_related("person", "region", "custodian_department")
    table = tables.SpecialGroupTable
    filterset = filtersets.SpecialGroupFilterSet

    def filtered(self, action):
        qs = super().filtered(action)
        if not can_see_sealed(self.request.user) and (
            self.request.GET.getlist("kind") or self.request.GET.get("overdue")
        ):
            # Filtering by kind would tell a sealed record's kind.
            qs = qs.exclude(sealed=True)
        return qs


class SpecialGroupView(MembershipMixin, generic.ObjectView):
    model = SpecialGroup
    queryset = SpecialGroup.objects.select_related("person", "region", "custodian_department")

    def extra_context(self, obj):
        user = self.request.user
        AccessLog.objects.create(
            user=user,
            user_name=user.get_username(),
            action=AccessLog.Action.VIEW_SENSITIVE,
            content_type=ContentType.objects.get_for_model(SpecialGroup),
            object_id=obj.pk,
            record_count=1,
            detail="特殊人群明细",
            reason=self.request.GET.get("reason", "")[:200],
            ip=client_ip(self.request),
        )
        if obj.sealed and not can_see_sealed(user):
            return {"sealed": True, "person": obj.person}
        detail = forms.membership_detail(obj, forms.SPECIAL_DETAILS)
        return {
            "sealed": False,
            "detail_title": detail._meta.verbose_name if detail else "",
            "detail_items": detail_items(detail, reveal=user.can_view_sensitive()),
            **self.membership_context(obj),
        }


class MembershipEditView(generic.ObjectEditView):
    # One page for the four families: the membership form, then the kind's detail form.
    template_name = "people/membership_edit.html"
    kinds: list = []

    def save_form(self, form):
        """The membership and its kind's detail row, together or not at all."""
        with transaction.atomic():
            membership = super().save_form(form)
            if form.detail_form is not None:
                detail = form.detail_form.save(commit=False)
                detail.membership = membership
                records.save_record(detail, actor=self.request.user)
        return membership

    def initial(self):
        # Only record numbers and a kind arrive in the URL, never personal data.
        return {k: v for k, v in self.request.GET.items() if k in ("person", "kind")}

    def extra_context(self, obj):
        chosen = self.request.GET.get("kind", "")
        person = self.request.GET.get("person", "")
        return {
            "kinds": [(k.value, k.label) for k in self.kinds] if not obj.pk else [],
            "chosen_kind": chosen,
            "person_param": person if person.isdigit() else "",
        }

    def render_form(self, form, obj):
        detail_form = getattr(form, "detail_form", None)
        context = {
            **self.base_context(),
            "form": form,
            "detail_form": detail_form,
            "detail_title": detail_form._meta.model._meta.verbose_name if detail_form else "",
            "object": obj,
            **self.extra_context(obj),
        }
        return render(self.request, self.template_name, context)


class SpecialGroupEditView(SealedGuardMixin, MembershipEditView):
    model = SpecialGroup
    form = forms.SpecialGroupForm
    kinds = SPECIAL_GROUP_KINDS


class SpecialGroupDeleteView(SealedGuardMixin, generic.ObjectDeleteView):
    model = SpecialGroup


class SpecialGroupChangeLogView(SealedGuardMixin, generic.ObjectChangeLogView):
    model = SpecialGroup


class SpecialGroupExportView(generic.ExportView):
    model = SpecialGroup
    queryset = SpecialGroup.objects.select_related("person", "custodian_department")
    filterset = filtersets.SpecialGroupFilterSet

    def get_queryset(self, action=None):
        qs = super().get_queryset(action)
        if not can_see_sealed(self.request.user) and (
            self.request.GET.getlist("kind") or self.request.GET.get("overdue")
        ):
            qs = qs.exclude(sealed=True)
        return qs


class VulnerableGroupListView(generic.ObjectListView):
    model = VulnerableGroup
    queryset = VulnerableGroup.objects.select_related("person", "region", "custodian_department")
    table = tables.VulnerableGroupTable
    filterset = filtersets.VulnerableGroupFilterSet


class VulnerableGroupView(MembershipMixin, generic.ObjectView):
    model = VulnerableGroup
    own_fields = ["living_alone", "guardian_name", "guardian_phone", "guardian_relation"]
    queryset = VulnerableGroup.objects.select_related("person", "region", "custodian_department")

    def extra_context(self, obj):
        user = self.request.user
        detail = forms.membership_detail(obj, forms.VULNERABLE_DETAILS)
        return {
            "detail_title": detail._meta.verbose_name if detail else "",
            "detail_items": detail_items(detail, reveal=user.can_view_sensitive()),
            "subsidies": obj.subsidies.all(),
            "subsidy_edit": user.has_perm("people.change_vulnerablegroup"),
            "requests": onestop_cases(obj.person, user),
            "request_add": user.has_perm("cases.add_case") and obj.active,
            **self.membership_context(obj),
        }


class VulnerableGroupEditView(MembershipEditView):
    model = VulnerableGroup
    form = forms.VulnerableGroupForm
    kinds = VULNERABLE_GROUP_KINDS


class VulnerableGroupDeleteView(generic.ObjectDeleteView):
    model = VulnerableGroup


class VulnerableGroupChangeLogView(generic.ObjectChangeLogView):
    model = VulnerableGroup


class VulnerableGroupExportView(generic.ExportView):
    model = VulnerableGroup
    queryset = VulnerableGroup.objects.select_related("person", "custodian_department")
    filterset = filtersets.VulnerableGroupFilterSet


class KeyPersonListView(generic.ObjectListView):
    model = KeyPerson
    queryset = KeyPerson.objects.select_related("person", "region", "custodian_department")
    table = tables.KeyPersonTable
    filterset = filtersets.KeyPersonFilterSet


class KeyPersonView(MembershipMixin, generic.ObjectView):
    model = KeyPerson
    own_fields = ["type", "control_level", "reason"]
    queryset = KeyPerson.objects.select_related("person", "region", "custodian_department")

    def extra_context(self, obj):
        return self.membership_context(obj)


class KeyPersonEditView(MembershipEditView):
    model = KeyPerson
    form = forms.KeyPersonForm


class KeyPersonDeleteView(generic.ObjectDeleteView):
    model = KeyPerson


class KeyPersonChangeLogView(generic.ObjectChangeLogView):
    model = KeyPerson


class KeyPersonExportView(generic.ExportView):
    model = KeyPerson
    queryset = KeyPerson.objects.select_related("person", "custodian_department")
    filterset = filtersets.KeyPersonFilterSet


class AtRiskYouthListView(generic.ObjectListView):
    model = AtRiskYouth
    queryset = AtRiskYouth.objects.select_related("person", "region", "custodian_department")
    table = tables.AtRiskYouthTable
    filterset = filtersets.AtRiskYouthFilterSet


class AtRiskYouthView(MembershipMixin, generic.ObjectView):
    model = AtRiskYouth
    own_fields = [
        "type",
        "family_situation",
        "guardian_name",
        "guardian_relation",
        "guardian_phone",
        "guardian_address",
        "offended",
        "offence_detail",
        "help_measures",
    ]
    queryset = AtRiskYouth.objects.select_related("person", "region", "custodian_department")

    def extra_context(self, obj):
        return self.membership_context(obj)


class AtRiskYouthEditView(MembershipEditView):
    model = AtRiskYouth
    form = forms.AtRiskYouthForm


class AtRiskYouthDeleteView(generic.ObjectDeleteView):
    model = AtRiskYouth


class AtRiskYouthChangeLogView(generic.ObjectChangeLogView):
    model = AtRiskYouth


class AtRiskYouthExportView(generic.ExportView):
    model = AtRiskYouth
    queryset = AtRiskYouth.objects.select_related("person", "custodian_department")
    filterset = filtersets.AtRiskYouthFilterSet


# --- subsidies (on the vulnerable-group page) --------------------------------------------------


@login_required
def subsidy_edit(request, pk, subsidy_pk=None):
    if not request.user.has_perm("people.change_vulnerablegroup"):
        raise PermissionDenied("您没有此操作的权限")
    membership = get_object_or_404(VulnerableGroup.objects.restrict(request.user, "change"), pk=pk)
    subsidy = (
        get_object_or_404(Subsidy, pk=subsidy_pk, membership=membership)
        if subsidy_pk
        else Subsidy(membership=membership)
    )
    form = forms.SubsidyForm(request.POST or None, instance=subsidy)
    if request.method == "POST" and form.is_valid():
        try:
            records.save_record(form.save(commit=False), actor=request.user)
        except ActionError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已保存救助补贴：{subsidy.get_kind_label()}")
            return redirect(membership.get_absolute_url())
    return render(
        request,
        "people/vulnerablegroup_subsidy.html",
        {"form": form, "membership": membership, "subsidy": subsidy},
    )


@login_required
@require_POST
def subsidy_delete(request, pk, subsidy_pk):
    if not request.user.has_perm("people.change_vulnerablegroup"):
        raise PermissionDenied("您没有此操作的权限")
    membership = get_object_or_404(VulnerableGroup.objects.restrict(request.user, "change"), pk=pk)
    subsidy = get_object_or_404(Subsidy, pk=subsidy_pk, membership=membership)
    records.delete_record(subsidy, actor=request.user)
    messages.success(request, "已删除救助补贴")
    return redirect(membership.get_absolute_url())


# --- one-stop requests -------------------------------------------------------------------------


def onestop_cases(person: Person, user):
    """Cases filed for this person from the one-stop form (they link to the person page)."""
    link = reverse("people:person", args=[person.pk])
    return (
        Case.objects.restrict(user, "view")
        .filter(description__contains=f"人员页面 {link}）")
        .order_by("-reported_at")[:10]
    )


@login_required
def onestop_request(request, pk):
    if not (
        request.user.has_perm("people.view_vulnerablegroup")
        and request.user.has_perm("cases.add_case")
    ):
        raise PermissionDenied("您没有提交诉求的权限")
    membership = get_object_or_404(
        VulnerableGroup.objects.restrict(request.user, "view").select_related("person"), pk=pk
    )
    if not membership.active:
        raise PermissionDenied("该人员已解除列管")
    initial = {"description": default_description(membership)}
    form = forms.OneStopForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = submit_request(
                membership,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                format_html(
                    '已提交诉求，事件编号 <a href="{}">{}</a>', case.get_absolute_url(), case.number
                ),
            )
            return redirect(membership.get_absolute_url())
    return render(
        request, "people/vulnerablegroup_request.html", {"form": form, "membership": membership}
    )


# --- custodian assignments ---------------------------------------------------------------------

MEMBERSHIP_MODELS = {
    **{k.value: SpecialGroup for k in SPECIAL_GROUP_KINDS},
    **{k.value: VulnerableGroup for k in VULNERABLE_GROUP_KINDS},
    Category.KEY_PERSON.value: KeyPerson,
    Category.AT_RISK_YOUTH.value: AtRiskYouth,
}


def previous_departments(assignment: CustodianAssignment) -> set[int]:
    """Departments this assignment named before its current one (from its change history)."""
    changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(CustodianAssignment),
        object_id=assignment.pk,
        action=ObjectChange.Action.UPDATE,
    )
    found = {(c.prechange_data or {}).get("department") for c in changes}
    return {pk for pk in found if pk is not None} - {assignment.department_id}


def reassignable(assignment: CustodianAssignment, queryset):
    """Open memberships the assignment governs (no nearer assignment below it) that have no
    custodian department yet, or still the one it named before."""
    model = MEMBERSHIP_MODELS[assignment.category]
    qs = queryset.filter(region_code__within=assignment.region_code, ended_on__isnull=True)
    if model in (SpecialGroup, VulnerableGroup):
        qs = qs.filter(kind=assignment.category)
    deeper = (
        CustodianAssignment.objects.filter(
            category=assignment.category, region_code__within=assignment.region_code
        )
        .exclude(pk=assignment.pk)
        .values_list("region_code", flat=True)
    )
    for code in deeper:
        qs = qs.exclude(region_code__within=code)
    old = previous_departments(assignment)
    return qs.filter(Q(custodian_department__isnull=True) | Q(custodian_department__in=old))


def reassign_memberships(assignment: CustodianAssignment, *, actor) -> int:
    """Give the memberships `reassignable` finds the assignment's department; each change is
    logged (ObjectChange) like any edit. Only memberships the actor may change are touched."""
    model = MEMBERSHIP_MODELS[assignment.category]
    with transaction.atomic():
        governed = reassignable(assignment, model.objects.restrict(actor, "change"))
        memberships = list(governed.select_for_update(of=("self",)))
        for membership in memberships:
            membership.custodian_department = assignment.department
        records.update_records(model, memberships, actor=actor, fields=["custodian_department"])
    return len(memberships)


class CustodianAssignmentListView(generic.ObjectListView):
    model = CustodianAssignment
    queryset = CustodianAssignment.objects.select_related("region", "department")
    table = tables.CustodianAssignmentTable
    filterset = filtersets.CustodianAssignmentFilterSet


class CustodianAssignmentView(generic.ObjectView):
    model = CustodianAssignment
    queryset = CustodianAssignment.objects.select_related("region", "department")

    def extra_context(self, obj):
        user = self.request.user
        model = MEMBERSHIP_MODELS[obj.category]
        may_change = user.has_perm(f"people.change_{model._meta.model_name}")
        pending = (
            reassignable(obj, model.objects.restrict(user, "change")).count() if may_change else 0
        )
        return {
            "membership_model": model._meta.verbose_name,
            "may_reassign": may_change and user.has_perm("people.change_custodianassignment"),
            "pending": pending,
        }


class CustodianAssignmentEditView(generic.ObjectEditView):
    model = CustodianAssignment
    form = forms.CustodianAssignmentForm


class CustodianAssignmentDeleteView(generic.ObjectDeleteView):
    model = CustodianAssignment


class CustodianAssignmentChangeLogView(generic.ObjectChangeLogView):
    model = CustodianAssignment


@login_required
@require_POST
def custodian_reassign(request, pk):
    if not request.user.has_perm("people.change_custodianassignment"):
        raise PermissionDenied("您没有此操作的权限")
    assignment = get_object_or_404(
        CustodianAssignment.objects.restrict(request.user, "change"), pk=pk
    )
    model = MEMBERSHIP_MODELS[assignment.category]
    if not request.user.has_perm(f"people.change_{model._meta.model_name}"):
        raise PermissionDenied(f"您没有修改{model._meta.verbose_name}的权限")
    count = reassign_memberships(assignment, actor=request.user)
    messages.success(request, f"已按归口设置重新分配 {count} 条在管记录到“{assignment.department}”")
    return redirect(assignment.get_absolute_url())


# --- the person page's category section --------------------------------------------------------


def _with_overdue(memberships, overdue: set[str]) -> list:
    rows = list(memberships)
    for m in rows:
        m.overdue = m.active and m.category_key() in overdue
    return rows


@login_required
def person_groups(request, pk):
    """The category section of a person page (loaded into it): each family only with its view
    permission — special groups not even counted without theirs."""
    user = request.user
    person = get_object_or_404(Person.objects.restrict(user, "view"), pk=pk)
    overdue = overdue_categories(person)
    reveal = user.can_view_sensitive()
    families = []
    specs = [
        (SpecialGroup, "special_groups", "特殊人群"),
        (VulnerableGroup, "vulnerable_groups", "弱势群体"),
        (KeyPerson, "key_person", "重点人员"),
        (AtRiskYouth, "at_risk_youth", "重点青少年"),
    ]
    for model, _, label in specs:
        name = model._meta.model_name
        if not user.has_perm(f"people.view_{name}"):
            continue
        rows = model.objects.restrict(user, "view").filter(person=person)
        rows = rows.select_related("custodian_department").order_by("ended_on", "-started_on")
        rows = _with_overdue(rows, overdue)
        for m in rows:
            m.helper_shown = shown(m, "helper_name", reveal)
        families.append(
            {
                "label": label,
                "model": name,
                "rows": rows,
                "add_url": reverse(f"people:{name}_add") + f"?person={person.pk}"
                if user.has_perm(f"people.add_{name}")
                else "",
            }
        )
    care = visible_care_records(
        CareRecord.objects.restrict(user, "view").filter(person=person), user
    )
    return render(
        request,
        "people/inc/person_groups_body.html",
        {
            "person": person,
            "families": families,
            "care_records": care[:5] if user.has_perm("people.view_carerecord") else [],
            "care_add": user.has_perm("people.add_carerecord") and bool(families),
            "see_sealed": can_see_sealed(user),
        },
    )
