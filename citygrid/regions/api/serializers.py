from rest_framework import serializers

from citygrid.core.api.serializers import FullCleanSerializer
from citygrid.regions.models import GridWorker, Region


class RegionSerializer(FullCleanSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    boundary = serializers.JSONField(
        required=False, allow_null=True, help_text="GeoJSON Polygon/MultiPolygon 或 WKT 字符串"
    )

    class Meta:
        model = Region
        fields = [
            "id",
            "parent",
            "level",
            "level_label",
            "code",
            "name",
            "kind",
            "boundary",
            "area_m2",
            "center_lng",
            "center_lat",
            "introduction",
            "valid_from",
            "valid_to",
            "created",
            "last_updated",
        ]
        read_only_fields = ["area_m2", "center_lng", "center_lat", "created", "last_updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "parent" in self.fields:
            self.fields["parent"].queryset = Region.objects.in_scope(request.user)


class RegionBriefSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "level_label"]


class GridWorkerSerializer(FullCleanSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    phone = serializers.CharField(write_only=True)
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = GridWorker
        fields = [
            "id",
            "region",
            "name",
            "role",
            "role_label",
            "phone",
            "phone_masked",
            "user",
            "active",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["created", "last_updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "region" in self.fields:
            self.fields["region"].queryset = Region.objects.in_scope(request.user).filter(
                level="grid"
            )

    def get_phone_masked(self, obj) -> str:
        return obj.masked("phone")


class LocateSerializer(serializers.Serializer):
    lng = serializers.FloatField(min_value=-180, max_value=180, label="经度")
    lat = serializers.FloatField(min_value=-90, max_value=90, label="纬度")
    crs = serializers.ChoiceField(
        choices=["wgs84", "cgcs2000", "gcj02", "bd09"], default="wgs84", label="坐标系"
    )


class LocateBatchSerializer(serializers.Serializer):
    points = LocateSerializer(many=True)  # the count is capped by the view (MAX_LOCATE_POINTS)
