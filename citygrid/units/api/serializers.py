from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers

from citygrid.housing import inputs
from citygrid.housing.api.serializers import MaskedMixin, ScopedSerializer
from citygrid.regions.models import Region
from citygrid.units.models import Unit, UnitLicence

TIMESTAMPS = ["created", "last_updated"]
CLEAR = "明文写入，读取时脱敏"


def _clear(**kwargs) -> serializers.CharField:
    return serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text=CLEAR, **kwargs
    )


def _mobile(value: str) -> str:
    try:
        return inputs.mobile(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages[0]) from exc


class UnitLicenceSerializer(ScopedSerializer):
    scoped_fields = {"unit": Unit}
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state = serializers.SerializerMethodField(help_text="expiring 即将到期 / expired 已过期 / 空")

    class Meta:
        model = UnitLicence
        fields = [
            "id",
            "unit",
            "kind",
            "kind_label",
            "number",
            "issued_on",
            "expires_on",
            "state",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS

    def get_state(self, obj) -> str:
        return obj.state(timezone.localdate())

    def validate_unit(self, value):
        if self.instance is not None and value != self.instance.unit:
            raise serializers.ValidationError("证照所属单位不能更改")
        return value


class UnitSerializer(MaskedMixin, ScopedSerializer):
    scoped_fields = {"region": Region}
    unit_class_label = serializers.CharField(source="get_unit_class_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    legal_representative = _clear(max_length=50)
    legal_representative_phone = _clear()
    contact_name = _clear(max_length=50)
    contact_phone = _clear()

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "unit_class",
            "unit_class_label",
            "uscc",
            "region",
            "region_code",
            "address",
            "lng",
            "lat",
            "legal_representative",
            "legal_representative_phone",
            "contact_name",
            "contact_phone",
            "staff_count",
            "status",
            "status_label",
            "note",
            *TIMESTAMPS,
        ]
        read_only_fields = ["region_code", *TIMESTAMPS]
        extra_kwargs = {
            "region": {"required": False, "help_text": "有经纬度时按所在网格自动确定"},
            # The model's own checks (GB 32100, the named unique constraint) via full_clean.
            "uscc": {"validators": []},
        }

    def validate_legal_representative_phone(self, value):
        return _mobile(value)

    def validate_contact_phone(self, value):
        return _mobile(value)
