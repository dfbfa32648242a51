"""工作台, the home page: what is waiting for me now, and how my territory is going.

Every part is a bounded query: to-dos, tasks and supervision orders are the desk's querysets cut
to a few rows, their totals counted only up to `COUNT_CAP` ("99+"), the new reports the latest
few in scope, the notices the user's newest, the trend the day rows of the indicator roll-up.
Nothing counts every case in the user's territory: a county dispatcher's scope holds millions.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from citygrid.accounts.choices import StartPage
from citygrid.accounts.start import role_start_pages
from citygrid.cases import indicators
from citygrid.cases.choices import CaseState, TaskStatus
from citygrid.cases.models import Case, Task
from citygrid.cases.views.desk import overdue_cases, supervision_orders, todo_cases
from citygrid.cases.workflow import CASES
from citygrid.core.routers import replica_reads
from citygrid.notify.models import Notification

ROWS = 8
SIDE_ROWS = 5
COUNT_CAP = 99
TREND_DAYS = 14
# A task or supervision order has no warning time of its own: 临期 within the last day.
DUE_SOON = timedelta(days=1)


@dataclass(frozen=True)
class Due:
    """Time left to a deadline, as a person reads it, and how urgent that is."""

    text: str
    state: str  # "overdue" 超期, "warning" 临期, "" otherwise

    @property
    def label(self) -> str:
        return {"overdue": "超期", "warning": "临期"}.get(self.state, "")


def span_text(seconds: float) -> str:
    """A duration in the largest units that matter: 2 天 3 小时, 5 小时, 12 分钟."""
    minutes = max(int(seconds // 60), 1)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时" if hours else f"{days} 天"
    if hours:
        return f"{hours} 小时"
    return f"{minutes} 分钟"


def due(deadline: datetime | None, now: datetime, warn_at: datetime | None = None) -> Due | None:
    """剩余 2 小时 / 已超期 1 天; warning from `warn_at` (a case's 80 % mark) or the last day."""
    if deadline is None:
        return None
    left = (deadline - now).total_seconds()
    if left < 0:
        return Due(f"已超期 {span_text(-left)}", "overdue")
    warn_at = warn_at or deadline - DUE_SOON
    return Due(f"剩余 {span_text(left)}", "warning" if now >= warn_at else "")


def capped(queryset) -> int:
    """The number of rows up to COUNT_CAP + 1 (shown as "99+"): never a count of every row."""
    return queryset.order_by()[: COUNT_CAP + 1].count()


def shown(count: int) -> str:
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def _case_due(case: Case, now: datetime) -> Due | None:
    if not case.is_open or case.paused_at:
        return None
    return due(case.step_deadline, now, case.step_warn_at)


def _new_report_states(user) -> list[str]:
    """The states of new reports the user's role can move on: accept, or dispatch."""
    states = []
    if user.has_perm("cases.register_case"):
        states.append(CaseState.REPORTED)
    if user.has_perm("cases.dispatch_case"):
        states.append(CaseState.REGISTERED)
    return states


def has_duties(user) -> bool:
    """Whether any step of the workflow can be the user's to do (a leader's never is)."""
    return any(user.has_perm(CASES.permission(t)) for t in CASES.transitions if t.duty)


def _todo_parts(user, now: datetime) -> dict:
    todo = todo_cases(user)
    todos = list(todo[:ROWS])
    open_clock = todo.filter(paused_at__isnull=True)
    parts = {
        "show_todos": True,
        "todos": [(case, _case_due(case, now)) for case in todos],
        "todo_count": capped(todo) if len(todos) == ROWS else len(todos),
        "todo_overdue": capped(open_clock.filter(step_deadline__lt=now)),
        "todo_warning": capped(open_clock.filter(step_deadline__gte=now, step_warn_at__lte=now)),
        "overdue_in_scope": capped(overdue_cases(user, now)),
    }
    parts["shown"] = {
        name: shown(parts[name])
        for name in ("todo_count", "todo_warning", "todo_overdue", "overdue_in_scope")
    }
    return parts


def _case_parts(user, now: datetime) -> dict:
    parts = _todo_parts(user, now) if has_duties(user) else {}
    states = _new_report_states(user)
    parts["show_reports"] = bool(states)
    if states:
        reports = (
            Case.objects.restrict(user, "view")
            .filter(state__in=states)
            .select_related("category")
            .order_by("-reported_at", "-pk")[:SIDE_ROWS]
        )
        parts["new_reports"] = list(reports)
    with replica_reads():  # statistics: the read replica's, when one is configured
        trend = indicators.daily_trend(
            last_day=timezone.localdate(now),
            days=TREND_DAYS,
            territory=None if user.is_superuser else user.scope_codes(),
        )
    parts["trend"] = {
        "days": [f"{p.day:%m-%d}" for p in trend],
        "reported": [p.reported for p in trend],
        "closed": [p.closed for p in trend],
    }
    parts["trend_totals"] = (sum(p.reported for p in trend), sum(p.closed for p in trend))
    return parts


def _mobile_qr(request) -> str:
    """The grid workers' app address as an inline SVG to scan with the phone, drawn here."""
    url = request.build_absolute_uri(reverse("mobile:home"))
    return qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage).to_string(
        encoding="unicode"
    )


@login_required
def workbench(request):
    user = request.user
    now = timezone.now()
    context: dict = {"now": now}
    if user.has_perm("cases.view_case"):
        context |= _case_parts(user, now)
    tasks = Task.objects.filter(assignee=user, status=TaskStatus.OPEN).select_related("case")
    context["tasks"] = [(t, due(t.due_at, now)) for t in tasks.order_by("due_at", "pk")[:SIDE_ROWS]]
    if user.has_perm("cases.view_supervisionorder"):
        orders = supervision_orders(user)[:SIDE_ROWS]
        context["orders"] = [(o, due(o.required_by, now)) for o in orders]
    context["notices"] = list(Notification.objects.filter(recipient=user)[:SIDE_ROWS])
    if StartPage.MOBILE in role_start_pages(user):
        context["mobile_url"] = reverse("mobile:home")
        context["mobile_qr"] = _mobile_qr(request)
    return render(request, "cases/workbench.html", context)
