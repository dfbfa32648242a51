from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from citygrid.core.api.serializers import FullCleanSerializer
from citygrid.housing import actions, inputs
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental
from citygrid.regions.models import Region

TIMESTAMPS = ["created", "last_updated"]


def _normalized(normalize, value: str) -> str:
    try:
        return normalize(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages[0]) from exc


class ScopedSerializer(FullCleanSerializer):
    """Pickers (region and related records) list only what lies in the caller's territory."""

    scoped_fields: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:
            return
        for name, model in self.scoped_fields.items():
            if name in self.fields and not self.fields[name].read_only:
                self.fields[name].queryset = model.objects.in_scope(request.user)


class MaskedMixin:
    """Sensitive fields: written in clear, read back masked as `<field>_masked`."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in instance.sensitive_fields:
            data[f"{name}_masked"] = instance.masked(name)
        return data


class EstateSerializer(ScopedSerializer):
    scoped_fields = {"region": Region}

    class Meta:
        model = Estate
        fields = [
            "id",
            "region",
            "region_code",
            "name",
            "address",
            "property_company",
            "property_phone",
            "lng",
            "lat",
            "note",
            *TIMESTAMPS,
        ]
        read_only_fields = ["region_code", *TIMESTAMPS]


class BuildingSerializer(ScopedSerializer):
    scoped_fields = {"region": Region, "estate": Estate}
    use_label = serializers.CharField(source="get_use_label", read_only=True)

    class Meta:
        model = Building
        fields = [
            "id",
            "estate",
            "region",
            "region_code",
            "name",
            "address",
            "use",
            "use_label",
            "floors",
            "underground_floors",
            "entrances",
            "houses_per_floor",
            "floor_area",
            "built_year",
            "lng",
            "lat",
            "outline",
            "head_name",
            "note",
            *TIMESTAMPS,
        ]
        read_only_fields = ["region_code", *TIMESTAMPS]


class HouseSerializer(MaskedMixin, ScopedSerializer):
    scoped_fields = {"region": Region, "building": Building}
    occupancy_label = serializers.CharField(source="get_occupancy_display", read_only=True)
    owner_name = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="明文写入，读取时脱敏",
    )
    owner_id_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="明文写入，读取时脱敏"
    )
    owner_phone = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="明文写入，读取时脱敏"
    )

    class Meta:
        model = House
        fields = [
            "id",
            "code",
            "building",
            "region",
            "region_code",
            "entrance",
            "floor",
            "number",
            "address",
            "area",
            "use",
            "ownership",
            "occupancy",
            "occupancy_label",
            "owner_name",
            "owner_id_number",
            "owner_phone",
            "lng",
            "lat",
            "note",
            *TIMESTAMPS,
        ]
        read_only_fields = ["code", "region_code", *TIMESTAMPS]
        extra_kwargs = {"region": {"required": False, "help_text": "有楼栋时按楼栋所在网格"}}

    def validate_owner_id_number(self, value):
        return _normalized(inputs.id_number, value)

    def validate_owner_phone(self, value):
        return _normalized(inputs.mobile, value)


class RentalSerializer(MaskedMixin, ScopedSerializer):
    scoped_fields = {"house": House}
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    landlord_name = serializers.CharField(
        write_only=True, max_length=50, help_text="明文写入，读取时脱敏"
    )
    landlord_id_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="明文写入，读取时脱敏"
    )
    landlord_phone = serializers.CharField(write_only=True, help_text="明文写入，读取时脱敏")
    declared_tenants = serializers.CharField(
        write_only=True, required=False, allow_blank=True, help_text="每行一人：姓名 证件号码 电话"
    )

    class Meta:
        model = Rental
        fields = [
            "id",
            "rental_no",
            "house",
            "region",
            "region_code",
            "status",
            "status_label",
            "source",
            "use",
            "landlord_name",
            "landlord_id_number",
            "landlord_phone",
            "rented_area",
            "rooms",
            "start_date",
            "end_date",
            "declared_tenants",
            "confirmed_by",
            "confirmed_at",
            "note",
            *TIMESTAMPS,
        ]
        # Status moves only through the workflow actions (confirm, reject, end).
        read_only_fields = [
            "rental_no",
            "region",
            "region_code",
            "status",
            "source",
            "confirmed_by",
            "confirmed_at",
            *TIMESTAMPS,
        ]

    def validate_landlord_id_number(self, value):
        return _normalized(inputs.id_number, value)

    def validate_landlord_phone(self, value):
        return _normalized(inputs.mobile, value)

    def validate_declared_tenants(self, value):
        return _normalized(inputs.tenant_lines, value)

    def validate_house(self, value):
        if self.instance is not None and value != self.instance.house:
            raise serializers.ValidationError("出租登记的房屋不能更改")
        return value

    def write(self, validated_data):
        """As on the page: a let rental marks its house rented (`actions.save_rental`)."""
        return actions.save_rental(self.target(), actor=self.context["request"].user)


class HazardCheckSerializer(ScopedSerializer):
    scoped_fields = {"house": House}
    hazard_label = serializers.CharField(source="get_hazard_label", read_only=True)

    class Meta:
        model = HazardCheck
        fields = [
            "id",
            "house",
            "region",
            "region_code",
            "checked_on",
            "inspector",
            "hazard",
            "hazard_label",
            "result",
            "rectify_by",
            "findings",
            *TIMESTAMPS,
        ]
        read_only_fields = ["region", "region_code", *TIMESTAMPS]


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label="驳回原因")


class EndSerializer(serializers.Serializer):
    on = serializers.DateField(label="退租日期")
