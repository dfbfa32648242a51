import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from citygrid.core.models import AccessLog, Dictionary, ObjectChange

# The widest integer column (bigint, our primary keys); the database driver raises
# OverflowError on anything wider, so a typed huge number must stop at the form.
INT_MAX = 2**63 - 1
# Year lookups build dates, and `datetime.date` stops at year 9999.
YEAR_RANGE = (1, 9999)
OUT_OF_RANGE = "数值超出范围（%(limit_value)s）"


def _bound(field: forms.DecimalField, low: int, high: int) -> None:
    if field.min_value is None:
        field.validators.append(MinValueValidator(low, message=OUT_OF_RANGE))
    if field.max_value is None:
        field.validators.append(MaxValueValidator(high, message=OUT_OF_RANGE))


class IdsField(django_filters.fields.ModelMultipleChoiceField):
    """Checks each id's range first: Django's own check runs an `__in` query with it."""

    def clean(self, value):
        for item in value if isinstance(value, (list, tuple)) else ():
            if str(item).strip().lstrip("-").isdigit() and abs(int(item)) > INT_MAX:
                raise forms.ValidationError("编号超出范围", code="out_of_range")
        return super().clean(value)


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Declare id-list filters with this one (`core/tests/test_limits.py` sweeps every list)."""

    field_class = IdsField


class BaseFilterSet(django_filters.FilterSet):
    """Adds the free-text `q` box; subclasses list the fields it searches in `search_fields`.
    Number inputs are bounded so that no typed value reaches the database as an overflow."""

    FILTER_DEFAULTS = {
        model_field: {**spec, "filter_class": ModelMultipleChoiceFilter}
        if spec["filter_class"] is django_filters.ModelMultipleChoiceFilter
        else spec
        for model_field, spec in django_filters.FilterSet.FILTER_DEFAULTS.items()
    }

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
        for name, f in self.form.fields.items():
            css = "form-select" if hasattr(f, "choices") else "form-control"
            f.widget.attrs.setdefault("class", css)
            if isinstance(f, forms.DecimalField):
                year = getattr(self.filters.get(name), "lookup_expr", "") == "year"
                _bound(f, *(YEAR_RANGE if year else (-INT_MAX, INT_MAX)))


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
