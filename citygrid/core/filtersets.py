import django_filters
from django.db.models import Q

from citygrid.core.models import AccessLog, Dictionary, ObjectChange


class BaseFilterSet(django_filters.FilterSet):
    """Adds the free-text `q` box; subclasses list the fields it searches in `search_fields`."""

    q = django_filters.CharFilter(method="search", label="关键字")
    search_fields: tuple[str, ...] = ()

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        return queryset.filter(q)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.form.fields.values():
            css = "form-select" if hasattr(f, "choices") else "form-control"
            f.widget.attrs.setdefault("class", css)


def within(queryset, field: str, code: str):
    """Records in the subtree of a typed region code (`__within`, an index range)."""
    code = code.strip()
    if not code.isdigit():
        return queryset.none()
    return queryset.filter(**{f"{field}__within": code})


class LogFilterSet(BaseFilterSet):
    """Logs are searched by day range."""

    time__gte = django_filters.DateFilter(
        field_name="time", lookup_expr="date__gte", label="起始日期"
    )
    time__lte = django_filters.DateFilter(
        field_name="time", lookup_expr="date__lte", label="截止日期"
    )


class ObjectChangeFilterSet(LogFilterSet):
    search_fields = ("object_repr", "user_name")

    class Meta:
        model = ObjectChange
        fields = ["action", "content_type", "user"]


class AccessLogFilterSet(LogFilterSet):
    search_fields = ("user_name", "detail", "reason", "ip")

    class Meta:
        model = AccessLog
        fields = ["action", "user", "content_type"]


class DictionaryFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "standard")

    class Meta:
        model = Dictionary
        fields = ["code"]
