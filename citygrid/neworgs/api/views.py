from citygrid.core.api.viewsets import ScopedModelViewSet
from citygrid.neworgs import filtersets
from citygrid.neworgs.api import serializers
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord


class NewOrganisationViewSet(ScopedModelViewSet):
    """两新组织: non-public enterprises and social organisations."""

    queryset = NewOrganisation.objects.select_related("region").prefetch_related("accounts")
    serializer_class = serializers.NewOrganisationSerializer
    filterset_class = filtersets.NewOrganisationFilterSet


class OrgBranchViewSet(ScopedModelViewSet):
    """组织建设: 党组织, 工会, 共青团, 妇联 and 综治工作室 inside an organisation."""

    queryset = OrgBranch.objects.select_related("organisation")
    serializer_class = serializers.OrgBranchSerializer
    filterset_class = filtersets.OrgBranchFilterSet


class RegulationViewSet(ScopedModelViewSet):
    """工作制度 of an organisation, with its private document."""

    queryset = Regulation.objects.select_related("organisation")
    serializer_class = serializers.RegulationSerializer
    filterset_class = filtersets.RegulationFilterSet


class WorkRecordViewSet(ScopedModelViewSet):
    """工作情况: dated entries of an organisation's work."""

    queryset = WorkRecord.objects.select_related("organisation")
    serializer_class = serializers.WorkRecordSerializer
    filterset_class = filtersets.WorkRecordFilterSet
