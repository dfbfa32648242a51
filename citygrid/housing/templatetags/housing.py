from django import template
from django.urls import NoReverseMatch

register = template.Library()


@register.filter
def record_url(obj) -> str:
    """The record's page, or "" while its app has no page for it yet (the name stays plain)."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return ""
