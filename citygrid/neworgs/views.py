from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from citygrid.core.views import generic
from citygrid.neworgs import coverage, filtersets, forms, tables
from citygrid.neworgs.choices import OrganisationKind
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord
from citygrid.regions.models import Region

RECENT_WORK_RECORDS = 20


class NewOrganisationListView(generic.ObjectListView):
    model = NewOrganisation
    queryset = NewOrganisation.objects.select_related("region")
    table = tables.NewOrganisationTable
    filterset = filtersets.NewOrganisationFilterSet


class NewOrganisationView(generic.ObjectView):
    model = NewOrganisation

    def extra_context(self, obj):
        user = self.request.user
        works = WorkRecord.objects.restrict(user, "view").filter(organisation=obj)
        return {
            "ancestors": obj.region.ancestors(),
            "branches": OrgBranch.objects.restrict(user, "view").filter(organisation=obj),
            "regulations": Regulation.objects.restrict(user, "view").filter(organisation=obj),
            "work_records": works[:RECENT_WORK_RECORDS],
            "work_record_count": works.count(),
            "accounts": obj.accounts.order_by("username"),
        }


class NewOrganisationEditView(generic.ObjectEditView):
    model = NewOrganisation
    form = forms.NewOrganisationForm


class NewOrganisationDeleteView(generic.ObjectDeleteView):
    model = NewOrganisation


class NewOrganisationChangeLogView(generic.ObjectChangeLogView):
    model = NewOrganisation


class NewOrganisationImportView(generic.ImportView):
    model = NewOrganisation


class NewOrganisationExportView(generic.ExportView):
    model = NewOrganisation
    filterset = filtersets.NewOrganisationFilterSet


def part_views(model, form, table, filterset) -> dict:
    """The views of a part of an organisation (a branch, a regulation, a work record): added
    from the organisation's page, listed, shown, edited, deleted and its history read."""
    name = model.__name__
    queryset = model.objects.select_related("organisation")
    edit = type(f"{name}EditView", (generic.ObjectEditView,), {"model": model, "form": form})
    return {
        "list": type(
            f"{name}ListView",
            (generic.ObjectListView,),
            {"model": model, "queryset": queryset, "table": table, "filterset": filterset},
        ).as_view(),
        "detail": type(
            f"{name}View",
            (generic.ObjectView,),
            {"model": model, "queryset": queryset, "template_name": "neworgs/part.html"},
        ).as_view(),
        "add": edit.as_view(),
        "edit": edit.as_view(),
        "delete": type(
            f"{name}DeleteView", (generic.ObjectDeleteView,), {"model": model}
        ).as_view(),
        "changelog": type(
            f"{name}ChangeLogView", (generic.ObjectChangeLogView,), {"model": model}
        ).as_view(),
    }


def _default_region(user) -> Region | None:
    if user.is_superuser:
        return Region.objects.filter(parent__isnull=True).order_by("code").first()
    codes = sorted(user.scope_codes())
    return Region.objects.filter(code=codes[0]).first() if codes else None


@login_required
def coverage_view(request):
    """覆盖率: per child region of the chosen region (default: the user's own), drilled down by
    following a row; a region outside the user's territory does not exist (404)."""
    user = request.user
    if not user.has_perm("neworgs.view_neworganisation"):
        raise PermissionDenied("您没有查看两新组织的权限")
    code = request.GET.get("region", "").strip()
    if code:
        region = Region.objects.in_scope(user).filter(code=code).first()
    else:
        region = _default_region(user)
    if region is None:
        raise Http404("区域不存在或不在您的管辖范围内")
    kind = request.GET.get("kind", "")
    if kind not in OrganisationKind.values:
        kind = ""
    ancestors = region.ancestors()
    visible = set(
        Region.objects.in_scope(user)
        .filter(code__in=[a.code for a in ancestors])
        .values_list("code", flat=True)
    )
    context = {
        "coverage": coverage.compute(user, region, kind),
        "ancestors": [a for a in ancestors if a.code in visible],
        "kinds": OrganisationKind.choices,
        "branch_labels": [label for _, label in coverage.BranchKind.choices],
    }
    return render(request, "neworgs/coverage.html", context)
