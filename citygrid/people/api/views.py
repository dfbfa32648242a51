from rest_framework import status
from rest_framework.response import Response

from citygrid.core.api.viewsets import ScopedModelViewSet
from citygrid.people.api.serializers import DuplicatePerson, PersonSerializer
from citygrid.people.filtersets import PersonFilterSet
from citygrid.people.forms.persons import OUT_OF_SCOPE_DUPLICATE
from citygrid.people.models import Person


class PersonViewSet(ScopedModelViewSet):
    """实有人口. `q` finds a person exactly by ID number or mobile (blind index) or by name."""

    queryset = Person.objects.select_related("region")
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

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
