from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers


class FullCleanSerializer(serializers.ModelSerializer):
    """Runs the model's own `full_clean`, so the API enforces exactly the rules the forms do."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        instance = self.instance or model()
        plain = [k for k in attrs if k not in m2m]
        for key in plain:
            setattr(instance, key, attrs[key])
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        # full_clean may normalise values (codes, phone numbers, geometry): keep its result.
        for key in plain:
            attrs[key] = getattr(instance, key)
        return attrs
