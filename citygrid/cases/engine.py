"""The workflow engine: every workflow (cases, disputes) is a table of transitions over one model.

Each transition declares its source states, target, permission, guards, inputs and who takes it.
The action functions' checks, the desks' to-do filters, the action forms, the API's action
serializers, the deadline sweep's reminders and `Workflow.run` all read that one declaration,
so a rule changes in one place and no workflow carries a copy of the machinery.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from citygrid.cases import clock
from citygrid.core import records
from citygrid.core.errors import ActionError

# Who takes a transition. Only DEPARTMENT narrows the permission further (to the members of the
# record's department); each names the people reminded and told when the duty is theirs.
DISPATCHER = "dispatcher"  # the command centre: anyone holding the permission in scope
DEPARTMENT = "department"
VERIFIER = "verifier"  # the inspector holding the open verification task


@dataclass(frozen=True)
class Input:
    """One value a transition takes from the person acting. Its form field, its API field and
    the keyword argument of the action function are all built from this."""

    name: str  # the keyword argument of the action function
    label: str
    # text, line, photos, department, decimal, choice, dictionary, case, datetime, date, boolean
    kind: str
    required: bool = False
    code: str = ""  # refusal of a missing required value or an invalid one
    message: str = ""  # its default text; "{action}" stands for the transition's label
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    choices: tuple[tuple[Any, str], ...] = ()
    initial: Any = None
    dictionary: str = ""  # the code table of a "dictionary" input
    # The form starts from the record's current value of the same name (a classification
    # confirmed or corrected, not typed again).
    from_record: bool = False

    @property
    def values(self) -> tuple:
        return tuple(value for value, _ in self.choices)

    def refusal(self, message: str = "") -> ActionError:
        return ActionError(self.code, message or self.message, 400)

    def missing(self, transition: "Transition") -> ActionError:
        return self.refusal(self.message.format(action=transition.label))


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and not value)


@dataclass(frozen=True)
class Guard:
    """A condition on the record beyond its state: `allows` for one record in Python and, when
    it reads only columns, the same condition as `q` for lists in SQL."""

    allows: Callable[[Any, datetime], bool]
    code: str
    message: str | Callable[[], str]
    q: Q | None = None

    def refusal(self) -> ActionError:
        message = self.message if isinstance(self.message, str) else self.message()
        return ActionError(self.code, message)


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (or is computed, e.g. resume)
    permission: str  # codename in the workflow model's app
    actor: str = DISPATCHER
    inputs: tuple[Input, ...] = ()
    guards: tuple[Guard, ...] = ()
    # A duty is what someone must do for the record to move on; a side action (督办, 挂账 ...)
    # may be taken any time and alone puts no record on anyone's to-do list.
    duty: bool = True
    next_step: str | None = None  # the step whose clock starts; "" stops the clock
    style: str = "primary"

    @property
    def department_only(self) -> bool:
        return self.actor == DEPARTMENT

    def input(self, name: str) -> Input | None:
        return next((i for i in self.inputs if i.name == name), None)

    def requires(self, name: str) -> bool:
        spec = self.input(name)
        return spec is not None and spec.required


@dataclass(frozen=True)
class Restriction:
    """Who among the holders of a transition's permission may take it on one record: e.g. only
    the members of the record's department. `allows` checks one record in Python (given the
    user's department ids, read once for many records); `q` is the same as SQL for to-do lists."""

    allows: Callable[[Any, Any, set[int]], bool]
    q: Callable[[Any], Q]
    code: str
    message: str


class Workflow:
    """One table of transitions over one model, and the rules every caller derives from it:
    guard, to-do filter, who acts, the step clock's limits, the locked read and the one
    transaction of an action (`run`), and the typed event it writes."""

    def __init__(
        self,
        name: str,
        model: type[Model],
        transitions: Iterable[Transition],
        open_states: Iterable[str],
        *,
        event_model: type[Model] | None = None,
        subject_field: str = "",
        limits: Callable[[Any], Mapping[str, tuple[Decimal, str] | datetime]] | None = None,
        departments: Callable[[Any, Any], Any] | None = None,
        not_found: Callable[[], ActionError] | None = None,
        state_field: str = "state",
        department_field: str | None = "department",
        actors: Mapping[str, Callable[[Any, Transition], Iterable]] | None = None,
        restrictions: Mapping[str, Restriction] | None = None,
        lock_related: tuple[str, ...] = (),
        on_event: Callable[[Any, Any], None] | None = None,
    ):
        self.name = name
        self.model = model
        self.transitions = tuple(transitions)
        self.by_action = {t.action: t for t in self.transitions}
        self.open_states = tuple(open_states)
        self.event_model = event_model
        self.subject_field = subject_field  # the event's foreign key to the record
        self.limits = limits  # record → {step: (amount, unit) or a fixed deadline}
        # (record, user) → the departments a "department" input may name.
        self.departments = departments
        self.not_found = not_found
        self.state_field = state_field
        self.department_field = department_field
        # actor → the people it means for one record and duty (for reminders and notices).
        self.actors = dict(actors or {})
        self.restrictions = dict(restrictions or {})
        if department_field and DEPARTMENT not in self.restrictions:
            self.restrictions[DEPARTMENT] = Restriction(
                lambda obj, user, ids: getattr(obj, f"{department_field}_id") in ids,
                lambda user: Q(**{f"{department_field}__in": self._member_of(user)}),
                "not_in_department",
                "只有责任部门的人员可以执行此操作",
            )
        self.has_department_actions = any(t.department_only for t in self.transitions)
        self.lock_related = lock_related
        self.on_event = on_event

    def get(self, action: str) -> Transition:
        if action not in self.by_action:
            raise ActionError("unknown_action", f"未知操作：{action}", 400)
        return self.by_action[action]

    def permission(self, transition: Transition) -> str:
        return f"{self.model._meta.app_label}.{transition.permission}"

    def _member_of(self, user):
        departments = self.model._meta.get_field(self.department_field).related_model
        return departments.objects.filter(members=user).values_list("pk", flat=True)

    def department_ids(self, user) -> set[int]:
        """The departments `user` is a member of: one query, to pass to `guard` and `available`
        when checking many records."""
        return set(self._member_of(user))

    def guard(
        self,
        transition: Transition,
        obj,
        user,
        now: datetime | None = None,
        department_ids: set[int] | None = None,
    ) -> None:
        """Raise unless `user` may take `transition` on `obj` now (scope and inputs apart)."""
        if getattr(obj, self.state_field) not in transition.sources:
            state = getattr(obj, f"get_{self.state_field}_display")()
            raise ActionError(
                "invalid_transition", f"当前状态为“{state}”，不能执行“{transition.label}”"
            )
        if not user.has_perm(self.permission(transition)):
            raise ActionError("permission_denied", f"您没有“{transition.label}”的权限", 403)
        rule = self.restrictions.get(transition.actor)
        if rule is not None and not user.is_superuser:
            if department_ids is None:
                department_ids = self.department_ids(user) if self.department_field else set()
            if not rule.allows(obj, user, department_ids):
                raise ActionError(rule.code, rule.message, 403)
        now = now or timezone.now()
        for check in transition.guards:
            if not check.allows(obj, now):
                raise check.refusal()

    def available(self, obj, user, department_ids: set[int] | None = None) -> list[Transition]:
        """The transitions `user` may take on `obj` now."""
        if department_ids is None and not user.is_superuser and self.has_department_actions:
            department_ids = self.department_ids(user)
        allowed = []
        for transition in self.transitions:
            try:
                self.guard(transition, obj, user, department_ids=department_ids)
            except ActionError:
                continue
            allowed.append(transition)
        return allowed

    def todo_q(self, user) -> Q:
        """Open records on which `user` holds a duty now, as one SQL condition: the states,
        permissions and department membership of the table, and the guards that read columns
        (the others are left to `available` on the rows shown)."""
        q = Q(pk__in=[])
        for transition in self.transitions:
            states = [s for s in transition.sources if s in self.open_states]
            if not transition.duty or not states or not user.has_perm(self.permission(transition)):
                continue
            condition = Q(**{f"{self.state_field}__in": states})
            for check in transition.guards:
                if check.q is not None:
                    condition &= check.q
            rule = self.restrictions.get(transition.actor)
            if rule is not None and not user.is_superuser:
                condition &= rule.q(user)
            q |= condition
        return q

    def duties(self, obj, now: datetime | None = None) -> list[Transition]:
        """What must happen next to `obj`: the duties its state and columns allow."""
        now = now or timezone.now()
        state = getattr(obj, self.state_field)
        return [
            t
            for t in self.transitions
            if t.duty and state in t.sources and all(g.allows(obj, now) for g in t.guards)
        ]

    def who_acts(self, obj, now: datetime | None = None) -> list:
        """The people who must act on `obj` now: its duties' actors, resolved through the
        workflow's actor table. Whom the deadline sweep reminds and the notices address."""
        people = {}
        wanted = {(t.actor, t.permission): t for t in self.duties(obj, now)}
        for (actor, _), transition in wanted.items():
            for user in self.actors[actor](obj, transition):
                people.setdefault(user.pk, user)
        return list(people.values())

    def arguments(self, transition: Transition, values: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments of the action function from the values a form or an API call
        supplied: only declared inputs, text stripped, a missing required one refused."""
        kwargs = {}
        for spec in transition.inputs:
            value = values.get(spec.name)
            if isinstance(value, str):
                value = value.strip()
            if is_empty(value):
                if spec.required:
                    raise spec.missing(transition)
                continue
            kwargs[spec.name] = value
        return kwargs

    def inputs(self) -> dict[str, Input]:
        """Every input of the table by name, optional: what an API schema documents."""
        return {i.name: replace(i, required=False) for t in self.transitions for i in t.inputs}

    # --- the one path of every action ---------------------------------------------------------

    def limit(self, obj, step: str) -> tuple[Decimal, str] | datetime:
        return self.limits(obj)[step]

    def start_step(self, obj, step: str, now: datetime) -> None:
        clock.start_step(obj, step, now, self.limit(obj, step))

    def lock(self, pk: int, actor):
        """The record, locked, if the actor may see it (else `not_found`: the same answer as
        for a record that does not exist)."""
        obj = (
            self.model.objects.restrict(actor, "view")
            .select_for_update(of=("self",))
            .select_related(*self.lock_related)
            .filter(pk=pk)
            .first()
        )
        if obj is None:
            raise self.not_found()
        return obj

    def record_event(
        self,
        obj,
        action: str,
        *,
        actor,
        time: datetime,
        from_state: str,
        note: str = "",
        on_time: bool | None = None,
        elapsed_seconds: int | None = None,
        **data,
    ):
        """Write the record's typed event (the append-only history indicators are computed
        from) and hand it to the workflow's `on_event` in the same transaction."""
        department = getattr(obj, self.department_field) if self.department_field else None
        event = self.event_model.objects.create(
            **{self.subject_field: obj},
            action=action,
            from_state=from_state,
            to_state=getattr(obj, self.state_field),
            time=time,
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_name=str(actor) if actor is not None else "系统",
            department=department,
            note=note,
            step=obj.step,
            step_deadline=obj.step_deadline,
            on_time=on_time,
            elapsed_seconds=elapsed_seconds,
            data={k: v for k, v in data.items() if v is not None},
            region_code=obj.region_code,
        )
        if self.on_event is not None:
            self.on_event(event, obj)
        return event

    def run(
        self,
        action: str,
        handle,
        actor,
        note: str = "",
        apply: Callable[[Any, datetime], dict] | None = None,
        *,
        now: datetime | None = None,
        given: Mapping[str, Any] | None = None,
        after: Callable[[Any, Any], None] | None = None,
    ):
        """Take `action` on the record `handle` points to, in one transaction: lock and re-read
        it (the handle's in-memory state is never trusted), check scope, guard and the required
        inputs in `given`, let `apply` change it (its dict goes into the event's data), move
        the state and the step clock, save through the write path, write exactly one event,
        then `after(obj, event)` (photos, the notices queued for the commit). A refusal raises
        `ActionError` and changes nothing. Returns the fresh record."""
        transition = self.by_action[action]
        note = (note or "").strip()
        now = now or timezone.now()
        with transaction.atomic():
            obj = self.lock(handle.pk, actor)
            self.guard(transition, obj, actor, now)
            for name, value in {"note": note, **(given or {})}.items():
                if transition.requires(name) and is_empty(value):
                    raise transition.input(name).missing(transition)
            from_state = getattr(obj, self.state_field)
            on_time = elapsed = None
            if transition.next_step is not None:
                on_time, elapsed = clock.finish_step(obj, now)
            data = apply(obj, now) if apply else {}
            if transition.target:
                setattr(obj, self.state_field, transition.target)
            if transition.next_step:
                self.start_step(obj, transition.next_step, now)
            elif transition.next_step == "":
                clock.stop_clock(obj)
            records.save_record(obj, actor=actor)
            event = self.record_event(
                obj,
                action,
                actor=actor,
                time=now,
                from_state=from_state,
                note=note,
                on_time=on_time,
                elapsed_seconds=elapsed,
                **data,
            )
            if after is not None:
                after(obj, event)
        return obj


# --- who the actors are, for any workflow ------------------------------------------------------


def holders(model: type[Model], codename: str, region_code: str):
    """Active users whose roles grant `codename` of `model`'s app and whose territory holds
    `region_code`: whom a duty of the centre (or an urgent report) addresses."""
    from citygrid.accounts.models import User
    from citygrid.regions.choices import ancestor_codes

    return User.objects.filter(
        is_active=True,
        roles__permissions__content_type__app_label=model._meta.app_label,
        roles__permissions__codename=codename,
        scope_regions__code__in=ancestor_codes(region_code, inclusive=True),
    ).distinct()


def permission_holders(record, transition: Transition):
    """The actor `dispatcher` of any workflow: who holds the transition's permission over the
    record's place."""
    return holders(type(record), transition.permission, record.region_code)


def department_members(record, transition: Transition):
    """The actor `department` of any workflow: the active members of the record's department."""
    if record.department_id is None:
        return []
    return record.department.members.filter(is_active=True)


# Every workflow by name: the deadline sweep and the supervision orders serve them all.
REGISTRY: dict[str, Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Put a workflow's records under the deadline sweep and supervision (its app's `ready`)."""
    REGISTRY[workflow.name] = workflow
    return workflow


def workflow_of(obj) -> Workflow:
    """The workflow whose records are of `obj`'s model."""
    return next(w for w in REGISTRY.values() if isinstance(obj, w.model))
