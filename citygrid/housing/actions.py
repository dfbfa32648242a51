"""Rental workflow and batch house generation (STYLE: `verb_noun(obj, *, actor, ...)`).

Each action runs in a transaction, checks the permission, re-reads the record through
`restrict` with a row lock (out of scope → `RentalNotFound`, answered as 404), checks the state,
and saves with `update_fields`. A refused action raises `HousingError` and changes nothing.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from citygrid.housing.choices import Occupancy, RentalStatus
from citygrid.housing.models import Building, House, Rental


class HousingError(Exception):
    """A refused action. `code` is for clients to branch on; `message` is shown to people."""

    def __init__(self, code: str, message: str, status: int = 409):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class RentalNotFound(HousingError):
    """Outside the actor's scope, or does not exist: the same answer for both."""

    def __init__(self):
        super().__init__("not_found", "出租登记不存在或不在您的管辖范围内", 404)


def _require(actor, perm: str, label: str) -> None:
    if not actor.has_perm(perm):
        raise HousingError("permission_denied", f"您没有“{label}”的权限", 403)


def _locked(rental: Rental, actor, action: str) -> Rental:
    locked = (
        Rental.objects.restrict(actor, action)
        .select_for_update(of=("self",))
        .select_related("house")
        .filter(pk=rental.pk)
        .first()
    )
    if locked is None:
        raise RentalNotFound
    locked.snapshot()
    return locked


def _expect(rental: Rental, status: str, label: str) -> None:
    if rental.status != status:
        raise HousingError(
            "invalid_transition",
            f"当前状态为“{rental.get_status_display()}”，不能{label}",
        )


def _set_occupancy(house: House, occupancy: str) -> None:
    if house.occupancy != occupancy:
        house.snapshot()
        house.occupancy = occupancy
        house.save(update_fields=["occupancy", "last_updated"])


# --- guards: what the rental page offers ----------------------------------------------------


def can_confirm(rental: Rental, user) -> bool:
    return rental.status == RentalStatus.PENDING and user.has_perm("housing.confirm_rental")


def can_end(rental: Rental, user) -> bool:
    return rental.status == RentalStatus.ACTIVE and user.has_perm("housing.change_rental")


# --- transitions ----------------------------------------------------------------------------


def confirm_rental(rental: Rental, *, actor) -> Rental:
    """A grid worker checked the landlord's declaration at the door: the rental is let now."""
    _require(actor, "housing.confirm_rental", "核实出租登记")
    with transaction.atomic():
        rental = _locked(rental, actor, "confirm")
        _expect(rental, RentalStatus.PENDING, "核实通过")
        rental.status = RentalStatus.ACTIVE
        rental.confirmed_by = actor
        rental.confirmed_at = timezone.now()
        rental.save(update_fields=["status", "confirmed_by", "confirmed_at", "last_updated"])
        _set_occupancy(rental.house, Occupancy.RENTED)
    return rental


def reject_rental(rental: Rental, *, actor, reason: str) -> Rental:
    """The declaration was wrong (wrong house, not let at all): kept, with the reason."""
    _require(actor, "housing.confirm_rental", "驳回出租申报")
    reason = (reason or "").strip()
    if not reason:
        raise HousingError("reason_required", "请填写驳回原因", 400)
    with transaction.atomic():
        rental = _locked(rental, actor, "confirm")
        _expect(rental, RentalStatus.PENDING, "驳回")
        rental.status = RentalStatus.REJECTED
        rental.confirmed_by = actor
        rental.confirmed_at = timezone.now()
        line = f"驳回原因：{reason}"
        rental.note = f"{rental.note}\n{line}".strip() if rental.note else line
        rental.save(
            update_fields=["status", "confirmed_by", "confirmed_at", "note", "last_updated"]
        )
    return rental


def end_rental(rental: Rental, *, actor, on: date) -> Rental:
    """The tenants moved out: the rental ends and the house stands empty until told otherwise."""
    _require(actor, "housing.change_rental", "退租")
    with transaction.atomic():
        rental = _locked(rental, actor, "change")
        _expect(rental, RentalStatus.ACTIVE, "退租")
        if rental.start_date and on < rental.start_date:
            raise HousingError("invalid_date", "退租日期不能早于起租日期", 400)
        rental.status = RentalStatus.ENDED
        rental.end_date = on
        rental.save(update_fields=["status", "end_date", "last_updated"])
        _set_occupancy(rental.house, Occupancy.VACANT)
    return rental


# --- buildings ------------------------------------------------------------------------------


def door_number(floor: int, index: int) -> str:
    """301, 302 …: floor × 100 + position on the landing, as door plates are painted."""
    return str(floor * 100 + index)


def generate_houses(building: Building, *, actor) -> list[House]:
    """Create the houses a building's shape implies that are not registered yet.

    Floors 1..floors × entrances × houses_per_floor; existing doors (same entrance and number)
    are skipped, so running it again after adding a floor creates only the new floor.
    """
    _require(actor, "housing.add_house", "批量生成房屋")
    with transaction.atomic():
        building = (
            Building.objects.restrict(actor, "view")
            .select_for_update(of=("self",))
            .select_related("region", "estate")
            .filter(pk=building.pk)
            .first()
        )
        if building is None or not actor.covers(building.region.code):
            raise HousingError("not_found", "楼栋不存在或不在您的管辖范围内", 404)
        existing = set(building.houses.values_list("entrance", "number"))
        created = []
        for entrance in range(1, building.entrances + 1):
            for floor in range(1, building.floors + 1):
                for index in range(1, building.houses_per_floor + 1):
                    number = door_number(floor, index)
                    if (entrance, number) in existing:
                        continue
                    house = House(building=building, entrance=entrance, floor=floor, number=number)
                    house.save()
                    created.append(house)
    return created
