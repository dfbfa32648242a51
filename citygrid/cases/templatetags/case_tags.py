"""Display helpers for case screens: badges, action labels, hours."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from citygrid.cases.choices import STATE_BADGE, CaseState, Lateness
from citygrid.cases.workflow import BY_ACTION
from citygrid.regions.choices import RegionLevel

register = template.Library()

LATENESS_BADGE = {Lateness.ON_TIME: "green", Lateness.WARNING: "yellow", Lateness.OVERDUE: "red"}

# Events that are not transitions of the table.
EVENT_LABELS = {
    "report": "上报",
    "supervision_answered": "督办回复",
    "supervision_escalated": "督办升级",
    "photo_private": "照片设为不公开",
    "photo_public": "照片恢复公开",
}


def action_label(action: str) -> str:
    if action in BY_ACTION:
        return BY_ACTION[action].label
    return EVENT_LABELS.get(action, action)


@register.filter(name="action_label")
def action_label_filter(action: str) -> str:
    return action_label(action)


@register.simple_tag
def state_badge(state: str) -> str:
    label = CaseState(state).label if state in CaseState.values else state
    return format_html(
        '<span class="badge bg-{}-lt" data-state="{}">{}</span>',
        STATE_BADGE.get(state, "secondary"),
        state,
        label,
    )


@register.simple_tag
def lateness_badge(case) -> str:
    lateness = case.lateness()
    return format_html(
        '<span class="badge bg-{}-lt" data-lateness="{}">{}</span>',
        LATENESS_BADGE[lateness],
        lateness,
        Lateness(lateness).label,
    )


@register.simple_tag
def countdown(deadline) -> str:
    """A span the countdown script keeps current; empty when the clock is stopped."""
    if not deadline:
        return ""
    return format_html(
        '<span class="case-countdown text-nowrap" data-deadline="{}">{}</span>',
        deadline.isoformat(),
        f"{timezone.localtime(deadline):%m-%d %H:%M}",
    )


@register.filter
def level_label(level: str) -> str:
    """The level now responsible for a case (raised by escalation)."""
    return RegionLevel(level).label if level in RegionLevel.values else level


@register.filter
def hours(seconds) -> str:
    if seconds is None:
        return ""
    return f"{seconds / 3600:.1f}"
