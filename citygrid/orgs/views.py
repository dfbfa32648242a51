from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from citygrid.accounts.widgets import account_search_view
from citygrid.core import records
from citygrid.core.errors import ActionError
from citygrid.core.views import generic
from citygrid.orgs import actions, filtersets, forms, mirror, tables, tree, widgets
from citygrid.orgs.choices import UNIT_KIND_BADGE
from citygrid.orgs.models import OrgUnit, Staff

# --- the tree ---------------------------------------------------------------------------------


def _require_view(user) -> None:
    if not user.has_perm("orgs.view_orgunit"):
        raise PermissionDenied("您没有查看机构队伍的权限")


@login_required
def tree_page(request):
    """The teams tree (org chart and indented list), starting at the user's own scope or at
    the unit picked from a search (`?unit=`)."""
    user = request.user
    _require_view(user)
    mirror.refresh_if_due()
    focus = None
    if request.GET.get("unit", "").isdigit():
        focus = get_object_or_404(tree.visible_units(user), pk=int(request.GET["unit"]))
    branches = [tree.branch(unit) for unit in ([focus] if focus else tree.roots(user))]
    chart = [
        {**node.as_json(), "children": [k.as_json() for k in kids], "loaded": True}
        for node, kids in branches
    ]
    query = request.GET.get("q", "")
    found_units, found_staff = tree.search(user, query)
    context = {
        "branches": branches,
        "chart_data": chart,
        "focus": focus,
        "trail": tree.ancestors(focus, user) if focus else [],
        "query": query,
        "found_units": found_units,
        "found_staff": found_staff,
        "can_add_staff": user.has_perm("orgs.add_staff"),
    }
    return render(request, "orgs/tree.html", context)


@login_required
def unit_children(request, pk: int):
    """A node's children with head counts: JSON for the chart, HTML for the indented list."""
    _require_view(request.user)
    unit = get_object_or_404(tree.visible_units(request.user), pk=pk)
    kids = tree.children(unit)
    if request.GET.get("format") == "html":
        return render(request, "orgs/inc/branch.html", {"nodes": kids})
    return JsonResponse({"children": [k.as_json() for k in kids]})


@login_required
def unit_search(request):
    """Matches for the unit picker (`orgs/widgets.py`): the user's territory, at most 20."""
    units = widgets.search_units(request.user, request.GET.get("q", ""))
    return JsonResponse({"results": [{"id": u.pk, "text": widgets.picker_label(u)} for u in units]})


account_search = account_search_view(
    ("orgs.add_staff", "orgs.change_staff"), "您没有维护队伍成员的权限"
)


# --- units ----------------------------------------------------------------------------------


class OrgUnitListView(generic.ObjectListView):
    model = OrgUnit
    queryset = OrgUnit.objects.select_related("parent", "region")
    table = tables.OrgUnitTable
    filterset = filtersets.OrgUnitFilterSet


class OrgUnitView(generic.ObjectView):
    model = OrgUnit
    queryset = OrgUnit.objects.select_related("parent", "region", "department")

    def extra_context(self, obj):
        user = self.request.user
        node, kids = tree.branch(obj)
        members = (
            Staff.objects.restrict(user, "view")
            .filter(unit=obj)
            .select_related("user", "grid_worker")
            .order_by("-active", "name")
        )
        return {
            "node": node,
            "kind_colour": UNIT_KIND_BADGE[obj.kind],
            "children": kids,
            "trail": tree.ancestors(obj, user),
            "members": members,
            "can_add_staff": user.has_perm("orgs.add_staff"),
        }


class OrgUnitEditView(generic.ObjectEditView):
    model = OrgUnit
    form = forms.OrgUnitForm


class OrgUnitDeleteView(generic.ObjectDeleteView):
    model = OrgUnit


class OrgUnitChangeLogView(generic.ObjectChangeLogView):
    model = OrgUnit


class OrgUnitImportView(generic.ImportView):
    model = OrgUnit


class OrgUnitExportView(generic.ExportView):
    model = OrgUnit
    queryset = OrgUnit.objects.select_related("parent", "region")
    filterset = filtersets.OrgUnitFilterSet


# --- members --------------------------------------------------------------------------------


class StaffListView(generic.ObjectListView):
    model = Staff
    queryset = Staff.objects.select_related("unit")
    table = tables.StaffTable
    filterset = filtersets.StaffFilterSet


class StaffView(generic.ObjectView):
    model = Staff
    queryset = Staff.objects.select_related("unit", "user", "grid_worker", "region")

    def extra_context(self, obj):
        user = self.request.user
        account = obj.user
        context = {
            "trail": [*tree.ancestors(obj.unit, user), obj.unit],
            "staff_records": obj.records.order_by("kind", "-date"),
            "roles": list(account.roles.order_by("name")) if account else [],
            "scope": list(account.scope_regions.order_by("code")) if account else [],
            "phone": obj.grid_worker.masked("phone") if obj.grid_worker_id else obj.masked("phone"),
        }
        if user.has_perm("orgs.change_staff") and obj.source == "manual":
            context["move_form"] = forms.MoveStaffForm(user=user)
        if user.has_perm("orgs.grant_staff") and account:
            context["grant_form"] = forms.GrantForm(
                user=user,
                initial={"roles": context["roles"], "scope_regions": context["scope"]},
            )
        if user.has_perm("orgs.change_staff"):
            context["record_form"] = forms.StaffRecordForm(user=user)
        return context


class StaffEditView(generic.ObjectEditView):
    model = Staff
    form = forms.StaffForm

    def save_form(self, form):
        obj = form.save(commit=False)
        if obj.pk:
            return records.save_record(obj, actor=self.request.user)
        try:
            fields = {f: getattr(obj, f) for f in form.Meta.fields if f != "unit"}
            return actions.add_staff(obj.unit, actor=self.request.user, **fields)
        except ActionError as exc:
            from django.core.exceptions import ValidationError

            raise ValidationError(exc.message) from exc


class StaffDeleteView(generic.ObjectDeleteView):
    model = Staff


class StaffChangeLogView(generic.ObjectChangeLogView):
    model = Staff


class StaffImportView(generic.ImportView):
    model = Staff


class StaffExportView(generic.ExportView):
    model = Staff
    queryset = Staff.objects.select_related("unit")
    filterset = filtersets.StaffFilterSet


def _member(request, pk: int) -> Staff:
    if not request.user.has_perm("orgs.view_staff"):
        raise PermissionDenied("您没有查看队伍成员的权限")
    return get_object_or_404(Staff.objects.restrict(request.user, "view"), pk=pk)


@login_required
@require_POST
def staff_move(request, pk: int):
    member = _member(request, pk)
    form = forms.MoveStaffForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "未能调整成员：请选择您管辖范围内的单位")
        return redirect(member)
    try:
        actions.move_staff(member, form.cleaned_data["unit"], actor=request.user)
    except ActionError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, f"未能调整成员：{exc.message}")
    else:
        messages.success(request, f"已将{member.name}调整到{member.unit}")
    return redirect(member)


@login_required
@require_POST
def staff_grant(request, pk: int):
    member = _member(request, pk)
    form = forms.GrantForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "未能授权：所选角色或区域无效")
        return redirect(member)
    try:
        actions.grant_access(
            member,
            actor=request.user,
            roles=form.cleaned_data["roles"],
            scope_regions=form.cleaned_data["scope_regions"],
        )
    except ActionError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, f"未能授权：{exc.message}")
    else:
        messages.success(request, f"已更新{member.name}的角色和管辖区域")
    return redirect(member)


@login_required
@require_POST
def staff_record_add(request, pk: int):
    member = _member(request, pk)
    if not request.user.has_perm("orgs.change_staff"):
        raise PermissionDenied("您没有修改队伍成员的权限")
    form = forms.StaffRecordForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        entry = form.save(commit=False)
        entry.staff = member
        records.save_record(entry, actor=request.user)
        messages.success(request, f"已添加档案记录：{entry.title}")
    else:
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, f"未能添加档案记录：{errors}")
    return redirect(member)
