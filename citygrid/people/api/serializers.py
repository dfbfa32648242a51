from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from citygrid.core.api.serializers import FullCleanSerializer
from citygrid.people.filtersets import exact_identifier_q
from citygrid.people.models import Person
from citygrid.regions.models import Region


class DuplicatePerson(Exception):
    """The ID number is registered already; `pk` is the existing person."""

    def __init__(self, pk: int, message: str):
        super().__init__(message)
        self.pk = pk
        self.message = message


class PersonSerializer(FullCleanSerializer):
    """Plaintext ID number and phone are write-only; reads return them masked."""

    id_number = serializers.CharField(write_only=True, label="证件号码")
    id_number_masked = serializers.SerializerMethodField()
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True)
    phone_masked = serializers.SerializerMethodField()
    sex_label = serializers.CharField(source="get_sex_label", read_only=True)
    ethnicity_label = serializers.CharField(source="get_ethnicity_label", read_only=True)
    residence_type_label = serializers.CharField(
        source="get_residence_type_display", read_only=True
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    age = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "region",
            "region_code",
            "residence_type",
            "residence_type_label",
            "status",
            "status_label",
            "id_type",
            "id_number",
            "id_number_masked",
            "name",
            "former_name",
            "sex",
            "sex_label",
            "birth_date",
            "age",
            "ethnicity",
            "ethnicity_label",
            "nationality",
            "native_place",
            "household_place",
            "household_address",
            "current_address",
            "marital_status",
            "political_status",
            "education",
            "religion",
            "occupation_category",
            "occupation",
            "workplace",
            "phone",
            "phone_masked",
            "note",
            "created",
            "last_updated",
        ]
        read_only_fields = ["region_code", "created", "last_updated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "region" in self.fields:
            self.fields["region"].queryset = Region.objects.in_scope(request.user).filter(
                level__in=["grid", "community"]
            )

    def get_id_number_masked(self, obj) -> str:
        return obj.masked("id_number")

    def get_phone_masked(self, obj) -> str:
        return obj.masked("phone")

    def get_age(self, obj) -> int | None:
        return obj.age()

    def validate(self, attrs):
        try:
            return super().validate(attrs)
        except serializers.ValidationError:
            self._raise_duplicate(attrs)
            raise

    def _raise_duplicate(self, attrs) -> None:
        """Re-run the model check to see whether the failure was a duplicate ID number."""
        instance = self.instance or Person()
        for key, value in attrs.items():
            setattr(instance, key, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            for error in getattr(exc, "error_dict", {}).get("id_number", []):
                if error.code == "duplicate":
                    raise DuplicatePerson(error.params["pk"], error.message) from exc


class LookupSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=30, label="证件号码或手机号码")

    def validate_number(self, value: str) -> dict:
        exact = exact_identifier_q(value.strip())
        if exact is None:
            raise serializers.ValidationError("请输入完整的18位（或15位）证件号码，或11位手机号码")
        return exact
