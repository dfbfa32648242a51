from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.filter
def model_url(model, suffix: str) -> str:
    meta = model._meta
    return f"{meta.app_label}:{meta.model_name}{suffix}"


@register.filter
def has_route(obj, suffix: str) -> bool:
    """Whether the record type has this view (not every type has every view)."""
    try:
        reverse(model_url(obj, suffix), args=[obj.pk or 0])
    except NoReverseMatch:
        return False
    return True


@register.filter
def masked(obj, name: str) -> str:
    """A sensitive field as every screen shows it by default: masked."""
    return obj.masked(name)
