import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from citygrid.core import records
from citygrid.core.views import generic
from citygrid.regions.geo.tiles import map_config
from citygrid.units import filtersets, forms, licences, tables
from citygrid.units.api.views import UNIT_MIN_ZOOM
from citygrid.units.choices import CLASS_COLOURS, LICENCE_STATE_BADGE, UNIT_STATUS_BADGE, UnitClass
from citygrid.units.models import Unit, UnitLicence


class UnitListView(generic.ObjectListView):
    model = Unit
    queryset = Unit.objects.select_related("region")
    table = tables.UnitTable
    filterset = filtersets.UnitFilterSet

    def filtered(self, action: str):
        return licences.with_licence_state(super().filtered(action), timezone.localdate())


class UnitView(generic.ObjectView):
    model = Unit
    queryset = Unit.objects.select_related("region")

    def extra_context(self, obj):
        return unit_context(self.request, obj)


def unit_context(request, unit: Unit, form=None, editing: UnitLicence | None = None) -> dict:
    """The unit page's licences card: the licences with their state, and the form to add one
    (or to edit the one named by `?licence=`)."""
    user = request.user
    today = timezone.localdate()
    rows = [(lic, lic.state(today)) for lic in unit.licences.all()]
    if editing is None and request.GET.get("licence", "").isdigit():
        editing = next((lic for lic, _ in rows if lic.pk == int(request.GET["licence"])), None)
    may_edit = user.has_perm("units.change_unitlicence") if editing else None
    if form is None and (may_edit or (editing is None and user.has_perm("units.add_unitlicence"))):
        form = forms.UnitLicenceForm(instance=editing or UnitLicence(unit=unit))
    states = {state for _, state in rows if state}
    placed = unit.lng is not None and unit.lat is not None
    position = [{"lng": unit.lng, "lat": unit.lat, "label": unit.name}] if placed else []
    return {
        "status_colour": UNIT_STATUS_BADGE[unit.status],
        "licences": [(lic, state, LICENCE_STATE_BADGE.get(state, "")) for lic, state in rows],
        "licence_badges": [
            (LICENCE_STATE_BADGE[s], s.label) for s in LICENCE_STATE_BADGE if s in states
        ],
        "licence_form": form,
        "editing": editing,
        "can_delete_licence": user.has_perm("units.delete_unitlicence"),
        "points": json.dumps(position) if position else "",
        "map_config": map_config(),
    }


class UnitEditView(generic.ObjectEditView):
    model = Unit
    form = forms.UnitForm


class UnitDeleteView(generic.ObjectDeleteView):
    model = Unit


class UnitChangeLogView(generic.ObjectChangeLogView):
    model = Unit


class UnitImportView(generic.ImportView):
    model = Unit


class UnitExportView(generic.ExportView):
    model = Unit
    filterset = filtersets.UnitFilterSet


def _unit(request, pk: int) -> Unit:
    """The unit a licence belongs to, in the user's scope (404 outside it)."""
    return get_object_or_404(Unit.objects.restrict(request.user, "view"), pk=pk)


@login_required
@require_POST
def licence_save(request, pk: int, licence_pk: int | None = None):
    """Add or change a licence from the unit page; errors re-show the page with the form."""
    unit = _unit(request, pk)
    action = "change" if licence_pk else "add"
    if not request.user.has_perm(f"units.{action}_unitlicence"):
        raise PermissionDenied("您没有此操作的权限")
    licence = get_object_or_404(unit.licences.all(), pk=licence_pk) if licence_pk else UnitLicence()
    licence.unit = unit
    form = forms.UnitLicenceForm(request.POST, instance=licence)
    if form.is_valid():
        try:
            records.save_record(form.save(commit=False), actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "证照已保存")
            return redirect(reverse("units:unit", args=[unit.pk]) + "#licences")
    editing = licence if licence_pk else None
    context = {
        **_page_context(request, unit),
        **unit_context(request, unit, form=form, editing=editing),
    }
    return render(request, "units/unit.html", context, status=400)


def _page_context(request, unit: Unit) -> dict:
    view = UnitView(request=request, kwargs={"pk": unit.pk})
    return {**view.base_context(), "object": unit, "tab": "detail"}


@login_required
@require_POST
def licence_delete(request, pk: int, licence_pk: int):
    unit = _unit(request, pk)
    if not request.user.has_perm("units.delete_unitlicence"):
        raise PermissionDenied("您没有此操作的权限")
    licence = get_object_or_404(unit.licences.all(), pk=licence_pk)
    records.delete_record(licence, actor=request.user)
    messages.success(request, f"已删除证照：{licence}")
    return redirect(reverse("units:unit", args=[unit.pk]) + "#licences")


@login_required
def unit_map(request):
    """One layer per unit class, each loaded by bbox and zoom from the map API in scope."""
    if not request.user.has_perm("units.view_unit"):
        raise PermissionDenied("您没有此操作的权限")
    layers = [
        {"code": value, "label": label, "colour": CLASS_COLOURS[value]}
        for value, label in UnitClass.choices
    ]
    return render(
        request,
        "units/map.html",
        {
            "layers": layers,
            "min_zoom": UNIT_MIN_ZOOM,
            "map_config": map_config(),
        },
    )
