import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from citygrid.cases.fieldwork import verification_tasks
from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.core.views import generic
from citygrid.housing import actions, filtersets, forms, tables
from citygrid.housing.board import build_board
from citygrid.housing.choices import OCCUPANCY_BADGE, RENTAL_STATUS_BADGE, RentalStatus
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental
from citygrid.housing.occupants import occupants
from citygrid.housing.widgets import picker_label, search_houses
from citygrid.regions.geo.tiles import map_config

# --- estates --------------------------------------------------------------------------------


class EstateListView(generic.ObjectListView):
    model = Estate
    queryset = Estate.objects.select_related("region").annotate(building_count=Count("buildings"))
    table = tables.EstateTable
    filterset = filtersets.EstateFilterSet


class EstateView(generic.ObjectView):
    model = Estate

    def extra_context(self, obj):
        current = Q(houses__residencies__ended_on__isnull=True)
        buildings = (
            Building.objects.restrict(self.request.user, "view")
            .filter(estate=obj)
            .select_related("region")
            .annotate(
                house_count=Count("houses", distinct=True),
                resident_count=Count("houses__residencies", filter=current, distinct=True),
            )
            .order_by("name")
        )
        return {"buildings": buildings}


class EstateEditView(generic.ObjectEditView):
    model = Estate
    form = forms.EstateForm


class EstateDeleteView(generic.ObjectDeleteView):
    model = Estate


class EstateChangeLogView(generic.ObjectChangeLogView):
    model = Estate


class EstateImportView(generic.ImportView):
    model = Estate


class EstateExportView(generic.ExportView):
    model = Estate
    filterset = filtersets.EstateFilterSet


# --- buildings ------------------------------------------------------------------------------


class BuildingListView(generic.ObjectListView):
    model = Building
    queryset = Building.objects.select_related("estate", "region")
    table = tables.BuildingTable
    filterset = filtersets.BuildingFilterSet


class BuildingView(generic.ObjectView):
    model = Building
    queryset = Building.objects.select_related("estate", "region")

    def extra_context(self, obj):
        user = self.request.user
        show_special = occupants().may_see_marked(user)
        return {
            "board": build_board(obj, user, show_special=show_special),
            "can_generate": user.has_perm("housing.add_house"),
        }


class BuildingEditView(generic.ObjectEditView):
    model = Building
    form = forms.BuildingForm


class BuildingDeleteView(generic.ObjectDeleteView):
    model = Building


class BuildingChangeLogView(generic.ObjectChangeLogView):
    model = Building


class BuildingImportView(generic.ImportView):
    model = Building


class BuildingExportView(generic.ExportView):
    model = Building
    filterset = filtersets.BuildingFilterSet


@login_required
@require_POST
def building_generate(request, pk: int):
    """ "批量生成房屋": the missing houses of the building's floors × entrances × doors."""
    building = get_object_or_404(Building.objects.restrict(request.user, "view"), pk=pk)
    try:
        created = actions.generate_houses(building, actor=request.user)
    except RecordNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能批量生成房屋：{exc.message}")
    else:
        if created:
            messages.success(request, f"已生成 {len(created)} 户房屋")
        else:
            messages.info(request, "各层各单元的房屋均已登记，无需生成")
    return redirect(building)


# --- houses ---------------------------------------------------------------------------------


class HouseListView(generic.ObjectListView):
    model = House
    queryset = House.objects.select_related("building__estate", "region")
    table = tables.HouseTable
    filterset = filtersets.HouseFilterSet


class HouseView(generic.ObjectView):
    model = House
    queryset = House.objects.select_related("building__estate", "region")

    def extra_context(self, obj):
        user = self.request.user
        residencies = list(
            occupants().residencies(user).filter(house=obj).order_by("-started_on", "-id")
        )
        position = obj.position()
        points = [{"lng": position[0], "lat": position[1], "label": str(obj)}] if position else []
        return {
            "occupancy_colour": OCCUPANCY_BADGE[obj.occupancy],
            "current_residents": [r for r in residencies if r.ended_on is None],
            "past_residents": [r for r in residencies if r.ended_on is not None],
            "rentals": [
                (r, RENTAL_STATUS_BADGE[r.status])
                for r in Rental.objects.restrict(user, "view").filter(house=obj)
            ],
            "checks": HazardCheck.objects.restrict(user, "view").filter(house=obj),
            "verification_tasks": verification_tasks(user, house=obj),
            "points": json.dumps(points) if points else "",
            "map_config": map_config(),
        }


class HouseEditView(generic.ObjectEditView):
    model = House
    form = forms.HouseForm


class HouseDeleteView(generic.ObjectDeleteView):
    model = House


class HouseChangeLogView(generic.ObjectChangeLogView):
    model = House


class HouseImportView(generic.ImportView):
    model = House


class HouseExportView(generic.ExportView):
    model = House
    queryset = House.objects.select_related("building__estate", "region")
    filterset = filtersets.HouseFilterSet


# --- rentals --------------------------------------------------------------------------------


class RentalListView(generic.ObjectListView):
    model = Rental
    queryset = Rental.objects.select_related("house__building__estate")
    table = tables.RentalTable
    filterset = filtersets.RentalFilterSet


class RentalView(generic.ObjectView):
    model = Rental
    queryset = Rental.objects.select_related("house__building__estate", "confirmed_by")

    def extra_context(self, obj):
        user = self.request.user
        tenants = occupants().tenants(user).filter(house=obj.house_id)
        declared = [line for line in obj.declared_tenants.splitlines() if line.strip()]
        return {
            "status_colour": RENTAL_STATUS_BADGE[obj.status],
            "tenants": tenants,
            "declared_count": len(declared),
            "can_confirm": actions.can_confirm(obj, user),
            "can_end": actions.can_end(obj, user),
            "reject_form": forms.RejectForm(),
            "end_form": forms.EndForm(),
            "checks": HazardCheck.objects.restrict(user, "view").filter(house=obj.house_id),
        }


class RentalEditView(generic.ObjectEditView):
    model = Rental
    form = forms.RentalForm

    def save_form(self, form):
        return actions.save_rental(form.save(commit=False), actor=self.request.user)


class RentalDeleteView(generic.ObjectDeleteView):
    model = Rental


class RentalChangeLogView(generic.ObjectChangeLogView):
    model = Rental


class RentalExportView(generic.ExportView):
    model = Rental
    queryset = Rental.objects.select_related("house")
    filterset = filtersets.RentalFilterSet


@login_required
def rental_pending(request):
    """The menu's "待核实出租申报": the rental list filtered to declarations awaiting a visit."""
    return redirect(f"{reverse('housing:rental_list')}?status={RentalStatus.PENDING}")


RENTAL_ACTIONS = {"confirm": "核实通过", "reject": "驳回", "end": "退租"}


@login_required
@require_POST
def rental_act(request, pk: int, action: str):
    """Confirm, reject or end a rental. A refusal changes nothing and says why."""
    label = RENTAL_ACTIONS.get(action)
    if label is None:
        raise Http404
    rental = get_object_or_404(Rental.objects.restrict(request.user, "view"), pk=pk)
    try:
        if action == "confirm":
            actions.confirm_rental(rental, actor=request.user)
        elif action == "reject":
            form = forms.RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            actions.reject_rental(rental, actor=request.user, reason=reason)
        else:
            form = forms.EndForm(request.POST)
            if not form.is_valid():
                raise ActionError("invalid_date", "请填写正确的退租日期", 400)
            actions.end_rental(rental, actor=request.user, on=form.cleaned_data["on"])
    except RecordNotFound as exc:
        raise Http404 from exc
    except ActionError as exc:
        messages.error(request, f"未能{label}：{exc.message}")
    else:
        messages.success(request, f"已{label}：{rental.rental_no}")
    return redirect(rental)


# --- hazard checks --------------------------------------------------------------------------


class HazardCheckListView(generic.ObjectListView):
    model = HazardCheck
    queryset = HazardCheck.objects.select_related("house__building__estate")
    table = tables.HazardCheckTable
    filterset = filtersets.HazardCheckFilterSet


class HazardCheckView(generic.ObjectView):
    model = HazardCheck
    queryset = HazardCheck.objects.select_related("house__building__estate")


class HazardCheckEditView(generic.ObjectEditView):
    model = HazardCheck
    form = forms.HazardCheckForm


class HazardCheckDeleteView(generic.ObjectDeleteView):
    model = HazardCheck


class HazardCheckChangeLogView(generic.ObjectChangeLogView):
    model = HazardCheck


class HazardCheckExportView(generic.ExportView):
    model = HazardCheck
    filterset = filtersets.HazardCheckFilterSet


@login_required
def house_search(request):
    """Matches for a house picker (`housing/widgets.py`): the user's territory only, at most
    20, label, code and the number of current owners (a count: the form warns before a second
    one). Territory, not the view permission, like the region picker:
    whoever may link a person to a house may find it."""
    houses = search_houses(request.user, request.GET.get("q", ""))
    owners = occupants().owner_counts([h.pk for h in houses]) if houses else {}
    results = [
        {"id": h.pk, "code": h.code, "text": picker_label(h), "owners": owners.get(h.pk, 0)}
        for h in houses
    ]
    return JsonResponse({"results": results})
