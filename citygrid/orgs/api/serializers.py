from rest_framework import serializers

from citygrid.orgs.models import OrgUnit, Staff


class OrgUnitSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "parent",
            "region",
            "region_code",
            "department",
            "duties",
            "phone",
            "created",
            "last_updated",
        ]
        read_only_fields = fields


class StaffSerializer(serializers.ModelSerializer):
    """The phone is read masked only (`phone_masked`): the API is for reading the tree."""

    phone_masked = serializers.SerializerMethodField()
    source_label = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = Staff
        fields = [
            "id",
            "unit",
            "name",
            "post",
            "post_duties",
            "phone_masked",
            "gender",
            "education",
            "hired_on",
            "source",
            "source_label",
            "user",
            "grid_worker",
            "active",
            "region_code",
            "created",
            "last_updated",
        ]
        read_only_fields = fields

    def get_phone_masked(self, obj) -> str:
        return obj.masked("phone")
