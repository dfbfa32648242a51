from citygrid.core.api.viewsets import ScopedReadOnlyViewSet
from citygrid.orgs.api import serializers
from citygrid.orgs.filtersets import OrgUnitFilterSet, StaffFilterSet
from citygrid.orgs.models import OrgUnit, Staff


class OrgUnitViewSet(ScopedReadOnlyViewSet):
    """Units of the teams tree (机构), read only: units are kept on the tree pages."""

    queryset = OrgUnit.objects.all()
    serializer_class = serializers.OrgUnitSerializer
    filterset_class = OrgUnitFilterSet


class StaffViewSet(ScopedReadOnlyViewSet):
    """Members (队伍成员), read only, phone masked."""

    queryset = Staff.objects.all()
    serializer_class = serializers.StaffSerializer
    filterset_class = StaffFilterSet
