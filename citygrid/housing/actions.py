"""Rental workflow and batch house generation (STYLE: `verb_noun(obj, *, actor, ...)`).

Each action runs in a transaction, checks the permission, re-reads the record through
`restrict` with a row lock (out of scope → `RecordNotFound`, answered as 404), checks the state,
and writes through `core.records` with `update_fields`. A refused action raises `ActionError`
and changes nothing.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone

from citygrid.core import records
from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.housing import numbering
from citygrid.housing.choices import Occupancy, RentalStatus
from citygrid.housing.models import Building, House, Rental


def _require(actor, perm: str, label: str) -> None:
    if not actor.has_perm(perm):
        raise ActionError("permission_denied", f"您没有“{label}”的权限", 403)


def _locked(rental: Rental, actor, action: str) -> Rental:
    locked = (
        Rental.objects.restrict(actor, action)
        .select_for_update(of=("self",))
        .select_related("house")
        .filter(pk=rental.pk)
        .first()
    )
    if locked is None:
        raise RecordNotFound("出租登记不存在或不在您的管辖范围内")
    return locked


def _expect(rental: Rental, status: str, label: str) -> None:
    if rental.status != status:
        raise ActionError(
            "invalid_transition",
            f"当前状态为“{rental.get_status_display()}”，不能{label}",
        )


def _set_occupancy(house: House, occupancy: str, actor) -> None:
    if house.occupancy != occupancy:
        house.occupancy = occupancy
        records.save_record(house, actor=actor, update_fields=["occupancy"])


# --- guards: what the rental page offers ----------------------------------------------------


def can_confirm(rental: Rental, user) -> bool:
    return rental.status == RentalStatus.PENDING and user.has_perm("housing.confirm_rental")


def can_end(rental: Rental, user) -> bool:
    return rental.status == RentalStatus.ACTIVE and user.has_perm("housing.change_rental")


# --- registration ---------------------------------------------------------------------------


def save_rental(rental: Rental, *, actor) -> Rental:
    """Register or edit a rental (the caller checked the permission): one that is let marks
    its house rented in the same transaction."""
    with transaction.atomic():
        records.save_record(rental, actor=actor)
        if rental.status == RentalStatus.ACTIVE:
            _set_occupancy(rental.house, Occupancy.RENTED, actor)
    return rental


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
        records.save_record(
            rental, actor=actor, update_fields=["status", "confirmed_by", "confirmed_at"]
        )
        _set_occupancy(rental.house, Occupancy.RENTED, actor)
    return rental


def reject_rental(rental: Rental, *, actor, reason: str) -> Rental:
    """The declaration was wrong (wrong house, not let at all): kept, with the reason."""
    _require(actor, "housing.confirm_rental", "驳回出租申报")
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("reason_required", "请填写驳回原因", 400)
    with transaction.atomic():
        rental = _locked(rental, actor, "confirm")
        _expect(rental, RentalStatus.PENDING, "驳回")
        rental.status = RentalStatus.REJECTED
        rental.confirmed_by = actor
        rental.confirmed_at = timezone.now()
        line = f"驳回原因：{reason}"
        rental.note = f"{rental.note}\n{line}".strip() if rental.note else line
        records.save_record(
            rental, actor=actor, update_fields=["status", "confirmed_by", "confirmed_at", "note"]
        )
    return rental


def end_rental(rental: Rental, *, actor, on: date) -> Rental:
    """The tenants moved out: the rental ends and the house stands empty until told otherwise."""
    _require(actor, "housing.change_rental", "退租")
    with transaction.atomic():
        rental = _locked(rental, actor, "change")
        _expect(rental, RentalStatus.ACTIVE, "退租")
        if rental.start_date and on < rental.start_date:
            raise ActionError("invalid_date", "退租日期不能早于起租日期", 400)
        rental.status = RentalStatus.ENDED
        rental.end_date = on
        records.save_record(rental, actor=actor, update_fields=["status", "end_date"])
        _set_occupancy(rental.house, Occupancy.VACANT, actor)
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
            raise RecordNotFound("楼栋不存在或不在您的管辖范围内")
        existing = set(building.houses.values_list("entrance", "number"))
        created = []
        for entrance in range(1, building.entrances + 1):
            for floor in range(1, building.floors + 1):
                for index in range(1, building.houses_per_floor + 1):
                    number = door_number(floor, index)
                    if (entrance, number) in existing:
                        continue
                    created.append(
                        House(building=building, entrance=entrance, floor=floor, number=number)
                    )
        # Doors are new under the building's lock, so uniqueness needs no query per house.
        for house in created:
            records.full_clean(house, unique=False)
        numbering.assign_house_codes(created)
        records.create_records(House, created, actor=actor)
    return created
