"""Builds `CaseEvent` rows: the typed, append-only history every indicator is computed from.

Every event is written here, and added to the indicator roll-up in the same transaction
(`rollup.count`); code that writes events another way (bulk loads) runs `rollup.rebuild`.
"""

from datetime import datetime

from citygrid.cases import rollup
from citygrid.cases.models import Case, CaseEvent


def record(
    case: Case,
    action: str,
    *,
    actor,
    time: datetime,
    from_state: str,
    note: str = "",
    on_time: bool | None = None,
    elapsed_seconds: int | None = None,
    **data,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state,
        time=time,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=str(actor) if actor is not None else "系统",
        department=case.department,
        note=note,
        step=case.step,
        step_deadline=case.step_deadline,
        on_time=on_time,
        elapsed_seconds=elapsed_seconds,
        data={k: v for k, v in data.items() if v is not None},
        region_code=case.region_code,
    )
    rollup.count(event, case)
    return event
