import django_filters

from citygrid.core.crypto import blind_index
from citygrid.core.filtersets import BaseFilterSet
from citygrid.core.validators import InvalidIdentifier, normalize_mobile
from citygrid.notify.choices import SmsStatus
from citygrid.notify.models import SmsMessage, SmsTemplate


class SmsMessageFilterSet(BaseFilterSet):
    search_fields = ("text",)
    status = django_filters.MultipleChoiceFilter(choices=SmsStatus.choices, label="状态")
    template = django_filters.ModelChoiceFilter(
        queryset=SmsTemplate.objects.all(), label="短信模板"
    )
    created__gte = django_filters.DateFilter(
        field_name="created", lookup_expr="date__gte", label="起始日期"
    )
    created__lte = django_filters.DateFilter(
        field_name="created", lookup_expr="date__lte", label="截止日期"
    )
    phone = django_filters.CharFilter(method="filter_phone", label="手机号码（精确）")

    class Meta:
        model = SmsMessage
        fields = ["status", "template"]

    def filter_phone(self, queryset, name, value):
        try:
            value = normalize_mobile(value)
        except InvalidIdentifier:
            return queryset.none()
        return queryset.filter(phone_index=blind_index(value))
