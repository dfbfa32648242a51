import django_filters
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from citygrid.core.changelog import readable_content_types
from citygrid.core.models import AccessLog, Dictionary, ObjectChange

# The widest integer column (bigint, our primary keys); the database driver raises
# OverflowError on anything wider, so a typed huge number must stop at the form.
INT_MAX = 2**63 - 1
# Year lookups build dates, and `datetime.date` stops at year 9999.
YEAR_RANGE = (1, 9999)
OUT_OF_RANGE = "数值超出范围（%(limit_value)s）"
ANY = "全部"


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


def model_field(model, path: str):
    """The model field a filter's `field_name` ends on (`house_id`, `building__estate`), or
    None when the path names no field (a method filter's own name)."""
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def is_reference(filter_, model) -> bool:
    """A record picked by its id (`?house_id=5`, `?case=9`): what a detail page links to and
    the API takes, never something a person types."""
    if not isinstance(filter_, django_filters.NumberFilter) or model is None:
        return False
    field = model_field(model, filter_.field_name)
    return field is not None and field.is_relation


class BaseFilterSet(django_filters.FilterSet):
    """Adds the free-text `q` box; subclasses list the fields it searches in `search_fields`.
    Number inputs are bounded so that no typed value reaches the database as an overflow.

    Every filter is labelled in Chinese from the model (`verbose_name`) unless it says
    otherwise, and filters by a record's id are hidden inputs on the page: a person saw
    "房屋ID", "[invalid name]" (django-filter's label for a name it cannot resolve) and
    English content-type names. `core/tests/test_filter_labels.py` checks every filterset."""

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

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        model = cls._meta.model
        for filter_ in filters.values():
            if is_reference(filter_, model):
                filter_.extra["widget"] = forms.HiddenInput
            if filter_._label is None and model is not None:
                field = model_field(model, filter_.field_name)
                if field is not None:
                    filter_.label = field.verbose_name
        return filters

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.form.fields.items():
            # Django's "---------" and "未知" read as noise; an unset filter shows everything.
            if getattr(f, "empty_label", None) is not None:
                f.empty_label = ANY
                f.widget.choices = f.choices
            if isinstance(f.widget, forms.NullBooleanSelect | django_filters.widgets.BooleanWidget):
                f.widget.choices = [
                    (value, ANY if value in ("", "unknown") else label)
                    for value, label in f.widget.choices
                ]
            select = hasattr(f, "choices") or isinstance(f.widget, forms.Select)
            css = "form-select" if select else "form-control"
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


class ContentTypeChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        model = obj.model_class()
        return str(model._meta.verbose_name) if model else obj.model


def _project_content_types(request):
    """Record types of CityGrid's own apps, by their Chinese names: a content type's own
    label is the app's English name and the model's ("Tasks Database Backend | …")."""
    labels = [app.label for app in apps.get_app_configs() if app.name.startswith("citygrid.")]
    return ContentType.objects.filter(app_label__in=labels).order_by("app_label", "model")


def _readable_content_types(request):
    """The record types whose history the user may read (all of the project's for exports,
    which are restricted row by row anyway)."""
    queryset = _project_content_types(request)
    if request is None:
        return queryset
    return queryset.filter(pk__in=readable_content_types(request.user))


class ContentTypeFilter(django_filters.ModelChoiceFilter):
    field_class = ContentTypeChoiceField


class ObjectChangeFilterSet(LogFilterSet):
    search_fields = ("object_repr", "user_name")
    content_type = ContentTypeFilter(queryset=_readable_content_types, label="对象类型")

    class Meta:
        model = ObjectChange
        fields = ["action", "content_type", "user"]


class AccessLogFilterSet(LogFilterSet):
    search_fields = ("user_name", "detail", "reason", "ip")
    content_type = ContentTypeFilter(queryset=_project_content_types, label="对象类型")

    class Meta:
        model = AccessLog
        fields = ["action", "user", "content_type"]


class DictionaryFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "standard")

    class Meta:
        model = Dictionary
        fields = ["code"]
