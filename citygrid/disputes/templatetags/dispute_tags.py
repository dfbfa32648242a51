"""Display helpers for dispute screens: state badges and event labels."""

from django import template
from django.utils.html import format_html, format_html_join

from citygrid.disputes.choices import STATE_BADGE, DisputeState
from citygrid.disputes.workflow import BY_ACTION

register = template.Library()

# Events that are not transitions of the table.
EVENT_LABELS = {
    "register": "登记受理",
    "supervision_answered": "督办回复",
    "supervision_escalated": "督办升级",
    "agreement_signed": "上传签字协议书",
    "party_added": "补充登记当事人",
}


def action_label(action: str) -> str:
    if action in BY_ACTION:
        return BY_ACTION[action].label
    return EVENT_LABELS.get(action, action)


@register.filter(name="dispute_action_label")
def action_label_filter(action: str) -> str:
    return action_label(action)


@register.simple_tag
def dispute_state_badge(state: str) -> str:
    label = DisputeState(state).label if state in DisputeState.values else state
    return format_html(
        '<span class="badge bg-{}-lt" data-state="{}">{}</span>',
        STATE_BADGE.get(state, "secondary"),
        state,
        label,
    )


@register.simple_tag
def risk_badges(dispute) -> str:
    """The level when above 一般, and each risk flag, as red badges."""
    labels = dispute.risk_labels()
    if dispute.level != "ordinary":
        labels = [f"{dispute.get_level_display()}纠纷", *labels]
    return format_html_join(
        "", '<span class="badge bg-red-lt me-1" data-risk>{}</span>', ((label,) for label in labels)
    )
