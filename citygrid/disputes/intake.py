"""登记受理: the one door for a new dispute, from the desk or the grid app.

In one transaction: check the place is in the registrar's territory, number the dispute, store
it and its parties (SM4-sealed through the write path), write the `register` event, start the
assessment clock, and report it upwards at once when it is urgent (a risk flag or 重大).
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from citygrid.core import dictionaries, records
from citygrid.core.errors import ActionError
from citygrid.disputes import numbering, urgent
from citygrid.disputes.choices import DisputeLevel, DisputeStep, IntakeSource, PartyKind, PartySide
from citygrid.disputes.models import CATEGORY_DICTIONARY, Dispute, DisputeParty
from citygrid.disputes.workflow import DISPUTES
from citygrid.regions.models import Region


@dataclass
class Party:
    side: str
    name: str
    kind: str = PartyKind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""
    person_id: int | None = None


@dataclass
class Registration:
    """What a registrar types in; `source` defaults from who they are."""

    region: Region
    category: str
    title: str
    description: str
    parties: list[Party] = field(default_factory=list)
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    people_count: int = 2
    amount: Decimal | None = None
    level: str = DisputeLevel.ORDINARY
    risk_petition: bool = False
    risk_mass_incident: bool = False
    risk_criminal: bool = False
    source: str = ""


def party_record(dispute: Dispute, party: Party) -> DisputeParty:
    if party.side not in PartySide.values or party.kind not in PartyKind.values:
        raise ActionError("invalid_party", "当事人类型无效", 400)
    return DisputeParty(
        dispute=dispute,
        side=party.side,
        kind=party.kind,
        name=party.name.strip(),
        id_number=party.id_number.strip(),
        phone=party.phone.strip(),
        address=party.address.strip(),
        person_id=party.person_id,
    )


def source_of(user) -> str:
    """登记来源 from the registrar: a grid worker, a department member, else the level of
    their territory (the centre above the township)."""
    if user.grid_posts.filter(active=True).exists():
        return IntakeSource.GRID_WORKER
    if user.departments.exists():
        return IntakeSource.DEPARTMENT
    levels = set(user.scope_regions.values_list("level", flat=True))
    if levels and levels <= {"grid", "community", "village_group"}:
        return IntakeSource.COMMUNITY
    if levels and levels <= {"grid", "community", "village_group", "township"}:
        return IntakeSource.TOWNSHIP
    return IntakeSource.CENTRE


def _check(registration: Registration, actor) -> None:
    if not actor.is_superuser and not actor.covers(registration.region.code):
        raise ActionError("out_of_scope", "纠纷发生地不在您的管辖范围内", 403)
    if not dictionaries.exists(CATEGORY_DICTIONARY, registration.category or ""):
        raise ActionError("invalid_category", "请选择纠纷类别", 400)
    sides = {p.side for p in registration.parties if p.name.strip()}
    if PartySide.APPLICANT not in sides:
        raise ActionError("applicant_required", "请至少登记一名申请人", 400)
    if any(
        p.side not in PartySide.values or p.kind not in PartyKind.values
        for p in registration.parties
    ):
        raise ActionError("invalid_party", "当事人类型无效", 400)
    if registration.level not in DisputeLevel.values:
        raise ActionError("invalid_level", "纠纷等级无效", 400)
    if registration.source and registration.source not in IntakeSource.values:
        raise ActionError("invalid_source", "登记来源无效", 400)


def register_dispute(registration: Registration, *, actor, now: datetime | None = None) -> Dispute:
    _check(registration, actor)
    now = now or timezone.now()
    with transaction.atomic():
        dispute = Dispute(
            number=numbering.next_number(now),
            region=registration.region,
            category=registration.category,
            title=registration.title.strip(),
            description=registration.description.strip(),
            address=registration.address.strip(),
            lng=registration.lng,
            lat=registration.lat,
            people_count=registration.people_count,
            amount=registration.amount,
            level=registration.level,
            risk_petition=registration.risk_petition,
            risk_mass_incident=registration.risk_mass_incident,
            risk_criminal=registration.risk_criminal,
            source=registration.source or source_of(actor),
            reporter=actor,
            reported_at=now,
        )
        DISPUTES.start_step(dispute, DisputeStep.ASSESS, now)
        try:
            records.save_record(dispute, actor=actor)
            for party in registration.parties:
                if party.name.strip():
                    records.save_record(party_record(dispute, party), actor=actor)
        except ValidationError as exc:
            raise ActionError("invalid", "；".join(exc.messages), 400) from exc
        DISPUTES.record_event(
            dispute,
            "register",
            actor=actor,
            time=now,
            from_state="",
            note=registration.description[:200],
            source=dispute.source,
        )
        urgent.report_if_urgent(dispute, now)
    return dispute
