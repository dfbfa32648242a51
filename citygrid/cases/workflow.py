"""The workflow engine and the case workflow's table.

A workflow is data: each transition declares its source states, target, permission, guards,
inputs and who takes it. The action functions' checks (`actions.guard`), the desk's to-do filter,
the action forms, the API's action serializer and `actions.perform` all read this one
declaration, so a rule changes in one place. A second workflow (disputes) is another `Workflow`
instance on the same engine.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Model, Q
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.cases.choices import OPEN_STATES, Step, SupervisionLevel, TaskKind, TaskStatus
from citygrid.cases.choices import CaseState as S
from citygrid.cases.models import Case
from citygrid.cases.routing import LEVELS, next_level
from citygrid.core.errors import ActionError
from citygrid.regions.choices import ancestor_codes

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
    kind: str  # text, photos, department, decimal, choice, case, datetime
    required: bool = False
    code: str = ""  # refusal of a missing required value or an invalid one
    message: str = ""  # its default text; "{action}" stands for the transition's label
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    choices: tuple[tuple[Any, str], ...] = ()
    initial: Any = None

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


class Workflow:
    """One table of transitions over one model, and the rules every caller derives from it."""

    def __init__(
        self,
        name: str,
        model: type[Model],
        transitions: Iterable[Transition],
        open_states: Iterable[str],
        state_field: str = "state",
        department_field: str | None = "department",
        actors: Mapping[str, Callable[[Any, Transition], Iterable]] | None = None,
    ):
        self.name = name
        self.model = model
        self.transitions = tuple(transitions)
        self.by_action = {t.action: t for t in self.transitions}
        self.open_states = tuple(open_states)
        self.state_field = state_field
        self.department_field = department_field
        self.has_department_actions = any(t.department_only for t in self.transitions)
        # actor → the people it means for one record and duty (for reminders and notices).
        self.actors = dict(actors or {})

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
        if transition.department_only and not user.is_superuser:
            if department_ids is None:
                department_ids = self.department_ids(user)
            if getattr(obj, f"{self.department_field}_id") not in department_ids:
                raise ActionError("not_in_department", "只有责任部门的人员可以执行此操作", 403)
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
            if transition.department_only and not user.is_superuser:
                condition &= Q(**{f"{self.department_field}__in": self._member_of(user)})
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


# --- the case workflow ------------------------------------------------------------------------

NOTE = Input("note", "意见", "text", code="note_required", message="“{action}”需要填写意见")
NOTE_REQUIRED = replace(NOTE, required=True)
PHOTOS = Input("photos", "照片", "photos", code="photo_required", message="“{action}”需要上传照片")
DEPARTMENT_INPUT = Input("department", "派遣部门", "department")
HOURS = Input(
    "hours",
    "延期时长（工作时）",
    "decimal",
    required=True,
    code="invalid_hours",
    message="请填写延期时长（工作时）",
    min_value=Decimal("0.5"),
    max_value=Decimal("720"),
)
SATISFACTION = Input(
    "satisfaction",
    "满意度",
    "choice",
    required=True,
    code="invalid_satisfaction",
    message="满意度应为 1 至 5 分",
    choices=(
        (5, "5 非常满意"),
        (4, "4 满意"),
        (3, "3 基本满意"),
        (2, "2 不满意"),
        (1, "1 非常不满意"),
    ),
)
INTO = Input(
    "into",
    "合并至事件编号",
    "case",
    required=True,
    code="merge_target_invalid",
    message="请指定合并到的事件",
)
REQUIRED_BY = Input(
    "required_by",
    "要求完成时间",
    "datetime",
    required=True,
    code="invalid_required_by",
    message="请填写要求完成时间",
)
LEVEL = Input(
    "level",
    "督办级别",
    "choice",
    code="invalid_level",
    message="督办级别无效",
    choices=tuple(SupervisionLevel.choices),
    initial=SupervisionLevel.GENERAL,
)


def _within_reopen_window(case: Case, now: datetime) -> bool:
    window = timedelta(days=settings.CASE_REOPEN_DAYS)
    return case.closed_at is not None and now <= case.closed_at + window


EXTENSION_PENDING = Guard(
    lambda case, now: case.extension_hours is not None,
    "no_extension_pending",
    "没有待审批的延期申请",
    Q(extension_hours__isnull=False),
)
NO_EXTENSION_PENDING = Guard(
    lambda case, now: case.extension_hours is None,
    "extension_pending",
    "已有延期申请待审批",
    Q(extension_hours__isnull=True),
)
NOT_EVALUATED = Guard(
    lambda case, now: case.satisfaction is None,
    "already_evaluated",
    "该事件已评价",
    Q(satisfaction__isnull=True),
)
REOPEN_WINDOW = Guard(
    _within_reopen_window,
    "reopen_window_passed",
    lambda: f"结案超过 {settings.CASE_REOPEN_DAYS} 天，不能重新办理",
)
BELOW_TOP_LEVEL = Guard(
    lambda case, now: next_level(case.level) is not None,
    "top_level",
    "已是最高层级，不能再上报",
    ~Q(level=LEVELS[-1]),
)
HAS_DEPARTMENT = Guard(
    lambda case, now: case.department_id is not None,
    "no_department",
    "事件尚未派遣到部门，无法督办",
    Q(department__isnull=False),
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "register",
        "受理立案",
        (S.REPORTED,),
        S.REGISTERED,
        "register_case",
        inputs=(NOTE,),
        next_step=Step.DISPATCH,
    ),
    Transition(
        "reject",
        "不予立案",
        (S.REPORTED,),
        S.REJECTED,
        "register_case",
        inputs=(NOTE_REQUIRED,),
        next_step="",
        style="danger",
    ),
    Transition(
        "dispatch",
        "派遣",
        (S.REGISTERED,),
        S.DISPATCHED,
        "dispatch_case",
        inputs=(NOTE, DEPARTMENT_INPUT),
        next_step=Step.ACCEPT,
    ),
    Transition(
        "accept",
        "签收",
        (S.DISPATCHED,),
        S.HANDLING,
        "handle_case",
        actor=DEPARTMENT,
        inputs=(NOTE,),
        next_step=Step.HANDLE,
    ),
    Transition(
        "return",
        "退回（非本部门职责）",
        (S.DISPATCHED, S.HANDLING),
        S.REGISTERED,
        "handle_case",
        actor=DEPARTMENT,
        inputs=(NOTE_REQUIRED,),
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "report_back",
        "处置反馈",
        (S.HANDLING,),
        S.REPORTED_BACK,
        "handle_case",
        actor=DEPARTMENT,
        inputs=(NOTE_REQUIRED, replace(PHOTOS, label="处置后照片", required=True)),
        next_step=Step.VERIFY,
    ),
    Transition(
        "request_extension",
        "申请延期",
        (S.HANDLING,),
        None,
        "handle_case",
        actor=DEPARTMENT,
        inputs=(NOTE_REQUIRED, HOURS),
        guards=(NO_EXTENSION_PENDING,),
        style="secondary",
    ),
    Transition(
        "approve_extension",
        "批准延期",
        (S.HANDLING,),
        None,
        "approve_extension_case",
        inputs=(NOTE,),
        guards=(EXTENSION_PENDING,),
    ),
    Transition(
        "deny_extension",
        "驳回延期",
        (S.HANDLING,),
        None,
        "approve_extension_case",
        inputs=(NOTE_REQUIRED,),
        guards=(EXTENSION_PENDING,),
        style="warning",
    ),
    Transition(
        "verify_pass",
        "核查通过",
        (S.REPORTED_BACK,),
        S.VERIFIED,
        "verify_case",
        actor=VERIFIER,
        inputs=(NOTE, PHOTOS),
        next_step=Step.CLOSE,
    ),
    Transition(
        "verify_fail",
        "核查未通过（返工）",
        (S.REPORTED_BACK,),
        S.HANDLING,
        "verify_case",
        actor=VERIFIER,
        inputs=(NOTE_REQUIRED, PHOTOS),
        next_step=Step.HANDLE,
        style="danger",
    ),
    Transition(
        "close",
        "结案",
        (S.VERIFIED,),
        S.CLOSED,
        "close_case",
        inputs=(NOTE,),
        next_step="",
    ),
    Transition(
        "evaluate",
        "评价",
        (S.CLOSED,),
        None,
        "evaluate_case",
        inputs=(NOTE, SATISFACTION),
        guards=(NOT_EVALUATED,),
        style="secondary",
    ),
    Transition(
        "reopen",
        "重新办理",
        (S.CLOSED,),
        S.REGISTERED,
        "register_case",
        inputs=(NOTE_REQUIRED,),
        guards=(REOPEN_WINDOW,),
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "suspend",
        "挂账",
        (S.REGISTERED, S.DISPATCHED, S.HANDLING),
        S.SUSPENDED,
        "suspend_case",
        inputs=(NOTE_REQUIRED,),
        duty=False,
        style="secondary",
    ),
    Transition("resume", "恢复办理", (S.SUSPENDED,), None, "suspend_case", inputs=(NOTE,)),
    Transition(
        "escalate",
        "上报上级",
        (S.REPORTED, S.REGISTERED, S.DISPATCHED, S.HANDLING),
        S.REGISTERED,
        "escalate_case",
        inputs=(NOTE_REQUIRED,),
        guards=(BELOW_TOP_LEVEL,),
        duty=False,
        next_step=Step.DISPATCH,
        style="warning",
    ),
    Transition(
        "merge",
        "合并为重复",
        (S.REPORTED, S.REGISTERED),
        S.MERGED,
        "merge_case",
        inputs=(NOTE, INTO),
        duty=False,
        next_step="",
        style="secondary",
    ),
    Transition(
        "supervise",
        "督办",
        OPEN_STATES,
        None,
        "supervise_case",
        inputs=(NOTE_REQUIRED, REQUIRED_BY, LEVEL),
        guards=(HAS_DEPARTMENT,),
        duty=False,
        style="danger",
    ),
)


def _department_members(case: Case, transition: Transition) -> Iterable[User]:
    if case.department_id is None:
        return []
    return case.department.members.filter(is_active=True)


def _verifiers(case: Case, transition: Transition) -> Iterable[User]:
    tasks = case.tasks.filter(kind=TaskKind.VERIFICATION, status=TaskStatus.OPEN)
    return [t.assignee for t in tasks.select_related("assignee") if t.assignee]


def _permission_holders(case: Case, transition: Transition) -> Iterable[User]:
    """Active users whose roles grant the transition and whose territory holds the case."""
    return User.objects.filter(
        is_active=True,
        roles__permissions__content_type__app_label=Case._meta.app_label,
        roles__permissions__codename=transition.permission,
        scope_regions__code__in=ancestor_codes(case.region_code, inclusive=True),
    ).distinct()


CASES = Workflow(
    "case",
    Case,
    TRANSITIONS,
    OPEN_STATES,
    actors={
        DISPATCHER: _permission_holders,
        DEPARTMENT: _department_members,
        VERIFIER: _verifiers,
    },
)
BY_ACTION = CASES.by_action
