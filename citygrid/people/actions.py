"""Where people live (人房关联): the first home and every move, one function each.

Both run in a transaction, lock the person, keep the history (a move ends the current
residency instead of editing it), put the person — and their category memberships — in the
grid of the new home, and re-check the result against the actor's scope: a clerk cannot move
someone into a district they do not look after. A refusal raises `ActionError` and changes
nothing.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from citygrid.core import records
from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.core.io.resources import validation_messages
from citygrid.housing.choices import RentalStatus
from citygrid.housing.models import House, Rental
from citygrid.people.choices import Relation
from citygrid.people.models import (
    AtRiskYouth,
    KeyPerson,
    Person,
    Residency,
    SpecialGroup,
    VulnerableGroup,
)

MEMBERSHIP_MODELS = (SpecialGroup, VulnerableGroup, KeyPerson, AtRiskYouth)


def open_rental(house: House) -> Rental | None:
    """The rental a tenant of this house lives under (at most one is open per house)."""
    return (
        Rental.objects.filter(house=house, status__in=[RentalStatus.PENDING, RentalStatus.ACTIVE])
        .order_by("-pk")
        .first()
    )


def _lock(person: Person, actor) -> Person:
    locked = (
        Person.objects.restrict(actor, "change")
        .select_for_update()
        .select_related("region")
        .filter(pk=person.pk)
        .first()
    )
    if locked is None:
        raise RecordNotFound("人员不存在或不在您的管辖范围内")
    return locked


def _start(person: Person, *, house, relation, relation_to_head, started_on, rental, actor):
    if not House.objects.in_scope(actor).filter(pk=house.pk).exists():
        raise ActionError("house_out_of_scope", "该房屋不在您的管辖范围内", 403)
    if rental is None and relation == Relation.TENANT:
        rental = open_rental(house)
    residency = Residency(
        person=person,
        house=house,
        relation=relation,
        relation_to_head=relation_to_head or "",
        rental=rental,
        started_on=started_on,
    )
    person.region = house.region
    person.current_address = house.address or str(house)
    try:
        records.save_record(residency, actor=actor)
        # Out of the actor's territory afterwards → `OutOfScope`; the caller's transaction
        # rolls back the residency with it.
        records.save_record(person, actor=actor)
        _follow_person(person, actor)
    except ValidationError as exc:
        raise ActionError("invalid", "；".join(validation_messages(exc).values()), 400) from exc
    return residency


def _follow_person(person: Person, actor) -> None:
    """Memberships sit in the person's grid (their staff work there): move them along."""
    for model in MEMBERSHIP_MODELS:
        for membership in model.objects.filter(person=person).exclude(region=person.region):
            membership.region = person.region
            records.save_record(
                membership,
                actor=actor,
                update_fields=["region", "region_code", "custodian_department"],
            )


def register_residency(
    person: Person,
    *,
    house: House,
    relation: str,
    relation_to_head: str = "",
    started_on: date,
    actor,
    rental: Rental | None = None,
) -> Residency:
    """Record a person's first (or next, after they left) home."""
    with transaction.atomic():
        person = _lock(person, actor)
        if Residency.objects.filter(person=person, ended_on__isnull=True).exists():
            raise ActionError("has_home", "该人员已有现住房屋，请办理迁居")
        return _start(
            person,
            house=house,
            relation=relation,
            relation_to_head=relation_to_head,
            started_on=started_on,
            rental=rental,
            actor=actor,
        )


def move_person(
    person: Person,
    *,
    house: House,
    relation: str,
    relation_to_head: str = "",
    started_on: date,
    actor,
    rental: Rental | None = None,
) -> Residency:
    """End the current home on `started_on` and start the new one; without a current home
    this is the first registration."""
    with transaction.atomic():
        person = _lock(person, actor)
        current = (
            Residency.objects.select_for_update()
            .filter(person=person, ended_on__isnull=True)
            .first()
        )
        if current is not None:
            if current.house_id == house.pk:
                raise ActionError("same_house", "该人员已居住在此房屋")
            if started_on < current.started_on:
                raise ActionError("before_current", "迁入日期不能早于现住房屋的入住日期", 400)
            current.ended_on = started_on
            records.save_record(current, actor=actor, update_fields=["ended_on"])
        return _start(
            person,
            house=house,
            relation=relation,
            relation_to_head=relation_to_head,
            started_on=started_on,
            rental=rental,
            actor=actor,
        )
