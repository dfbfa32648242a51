from rest_framework import serializers

from citygrid.core.api.serializers import FullCleanSerializer
from citygrid.neworgs.forms import organisation_accounts
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord
from citygrid.neworgs.models.organisations import FILING_LEVELS, bound_to_own
from citygrid.regions.models import Region

TIMESTAMPS = ["created", "last_updated"]


def _user(serializer):
    request = serializer.context.get("request")
    return request.user if request is not None else None


class NewOrganisationSerializer(FullCleanSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    head_name = serializers.CharField(write_only=True, max_length=50)
    head_name_masked = serializers.SerializerMethodField()
    head_phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    head_phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = NewOrganisation
        fields = [
            "id",
            "region",
            "region_code",
            "name",
            "kind",
            "kind_label",
            "uscc",
            "industry",
            "address",
            "lng",
            "lat",
            "head_name",
            "head_name_masked",
            "head_phone",
            "head_phone_masked",
            "full_time_staff",
            "employees",
            "established_on",
            "closed_on",
            "accounts",
            "note",
            *TIMESTAMPS,
        ]
        read_only_fields = ["region_code", *TIMESTAMPS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is None:
            return
        self.fields["region"].queryset = Region.objects.in_scope(user).filter(
            level__in=FILING_LEVELS
        )
        self.fields["accounts"].child_relation.queryset = organisation_accounts()
        if bound_to_own(user):
            # An organisation's own account: the same fields as its form keeps fixed.
            for name in ("region", "accounts", "kind", "closed_on"):
                self.fields[name].read_only = True

    def get_head_name_masked(self, obj) -> str:
        return obj.masked("head_name")

    def get_head_phone_masked(self, obj) -> str:
        return obj.masked("head_phone")


class PartSerializer(FullCleanSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = _user(self)
        if user is not None:
            self.fields["organisation"].queryset = NewOrganisation.objects.in_scope(user)


class OrgBranchSerializer(PartSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgBranch
        fields = [
            "id",
            "organisation",
            "kind",
            "kind_label",
            "established_on",
            "head_name",
            "members",
            *TIMESTAMPS,
        ]
        read_only_fields = TIMESTAMPS


class RegulationSerializer(PartSerializer):
    class Meta:
        model = Regulation
        fields = ["id", "organisation", "title", "adopted_on", "document", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS


class WorkRecordSerializer(PartSerializer):
    class Meta:
        model = WorkRecord
        fields = ["id", "organisation", "date", "content", "attachment", *TIMESTAMPS]
        read_only_fields = TIMESTAMPS
