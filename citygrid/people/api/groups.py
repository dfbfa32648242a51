"""Read-only API of category memberships and care records (writes go through the pages, where
a membership is saved together with its kind-specific details)."""

from rest_framework import serializers

from citygrid.core.api.viewsets import ScopedReadOnlyViewSet
from citygrid.people import filtersets_groups as filtersets
from citygrid.people.care import visible_care_records
from citygrid.people.models import (
    AtRiskYouth,
    CareRecord,
    KeyPerson,
    Person,
    SpecialGroup,
    VulnerableGroup,
)

MEMBERSHIP_FIELDS = [
    "id",
    "person",
    "region",
    "region_code",
    "custodian_department",
    "helper_name",
    "started_on",
    "ended_on",
    "active",
]


class PersonBriefSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = ["id", "name", "id_number"]

    def get_id_number(self, obj) -> str:
        return obj.masked("id_number")


class MembershipSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True)
    active = serializers.BooleanField(read_only=True)
    helper_name = serializers.SerializerMethodField()

    def get_helper_name(self, obj) -> str:
        return obj.masked("helper_name")


class SpecialGroupSerializer(MembershipSerializer):
    class Meta:
        model = SpecialGroup
        fields = [*MEMBERSHIP_FIELDS, "kind", "sealed"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = self.context["request"].user
        if instance.sealed and not user.is_superuser:
            # A sealed juvenile record: only that it exists and whose it is.
            return {
                "id": data["id"],
                "person": data["person"],
                "region_code": data["region_code"],
                "sealed": True,
            }
        return data


class VulnerableGroupSerializer(MembershipSerializer):
    class Meta:
        model = VulnerableGroup
        fields = [*MEMBERSHIP_FIELDS, "kind", "living_alone"]


class KeyPersonSerializer(MembershipSerializer):
    class Meta:
        model = KeyPerson
        fields = [*MEMBERSHIP_FIELDS, "type", "control_level"]


class AtRiskYouthSerializer(MembershipSerializer):
    class Meta:
        model = AtRiskYouth
        fields = [*MEMBERSHIP_FIELDS, "type", "offended"]


class CareRecordSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True)

    class Meta:
        model = CareRecord
        fields = [
            "id",
            "person",
            "category",
            "date",
            "helper",
            "measures",
            "result",
            "next_date",
            "place",
            "lng",
            "lat",
            "region",
            "region_code",
        ]


class SpecialGroupViewSet(ScopedReadOnlyViewSet):
    queryset = SpecialGroup.objects.select_related("person")
    serializer_class = SpecialGroupSerializer
    filterset_class = filtersets.SpecialGroupFilterSet

    def get_queryset(self):
        qs = super().get_queryset()
        params = self.request.query_params
        if not self.request.user.is_superuser and (params.getlist("kind") or "overdue" in params):
            qs = qs.exclude(sealed=True)  # filtering by kind would tell a sealed record's kind
        return qs


class VulnerableGroupViewSet(ScopedReadOnlyViewSet):
    queryset = VulnerableGroup.objects.select_related("person")
    serializer_class = VulnerableGroupSerializer
    filterset_class = filtersets.VulnerableGroupFilterSet


class KeyPersonViewSet(ScopedReadOnlyViewSet):
    queryset = KeyPerson.objects.select_related("person")
    serializer_class = KeyPersonSerializer
    filterset_class = filtersets.KeyPersonFilterSet


class AtRiskYouthViewSet(ScopedReadOnlyViewSet):
    queryset = AtRiskYouth.objects.select_related("person")
    serializer_class = AtRiskYouthSerializer
    filterset_class = filtersets.AtRiskYouthFilterSet


class CareRecordViewSet(ScopedReadOnlyViewSet):
    queryset = CareRecord.objects.select_related("person")
    serializer_class = CareRecordSerializer
    filterset_class = filtersets.CareRecordFilterSet

    def get_queryset(self):
        return visible_care_records(super().get_queryset(), self.request.user)
