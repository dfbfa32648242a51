from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from citygrid.core.api.viewsets import ScopedModelViewSet
from citygrid.people.api.serializers import DuplicatePerson, LookupSerializer, PersonSerializer
from citygrid.people.filtersets import PersonFilterSet
from citygrid.people.forms.persons import OUT_OF_SCOPE_DUPLICATE
from citygrid.people.models import Person


class PersonViewSet(ScopedModelViewSet):
    """实有人口. `q` finds a person exactly by ID number or mobile (blind index) or by name."""

    queryset = Person.objects.select_related("region")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    @extend_schema(
        request=LookupSerializer,
        responses={200: PersonSerializer(many=True)},
        summary="按证件号码或手机号码精确查找（号码放在请求体中，不进入网址）",
    )
    @action(detail=False, methods=["post"], required_action="view")
    def lookup(self, request):
        params = LookupSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        found = self.get_queryset().filter(**params.validated_data["number"])[:50]
        data = self.get_serializer(found, many=True).data
        return Response({"count": len(data), "results": data})

    def handle_exception(self, exc):
        if isinstance(exc, DuplicatePerson):
            return self._duplicate(exc)
        return super().handle_exception(exc)

    def _duplicate(self, exc: DuplicatePerson) -> Response:
        # The existing record is named only to users who may see it.
        visible = Person.objects.restrict(self.request.user, "view").filter(pk=exc.pk).exists()
        body = {
            "code": "duplicate",
            "message": "该证件号码已登记" if visible else OUT_OF_SCOPE_DUPLICATE,
            "errors": {"id_number": ["该证件号码已登记"]},
        }
        if visible:
            body["existing_id"] = exc.pk
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
