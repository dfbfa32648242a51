from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from citygrid.core import records


class FullCleanSerializer(serializers.ModelSerializer):
    """Runs the model's own `full_clean` on the real instance and writes it through the one
    write path, so the API enforces and derives exactly what the pages and the import do."""

    def target(self):
        """The instance being written: the one loaded, or a new one kept from `validate`."""
        if self.instance is not None:
            return self.instance
        if not hasattr(self, "_new_instance"):
            self._new_instance = self.Meta.model()
        return self._new_instance

    def validate(self, attrs):
        attrs = super().validate(attrs)
        m2m = {f.name for f in self.Meta.model._meta.many_to_many}
        instance = self.target()
        for key, value in attrs.items():
            if key not in m2m:
                setattr(instance, key, value)
        try:
            records.full_clean(instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs

    def create(self, validated_data):
        return self.write(validated_data)

    def update(self, instance, validated_data):
        return self.write(validated_data)

    def write(self, validated_data):
        """`validate` already cleaned this very instance: write it with its m2m values."""
        m2m_names = {f.name for f in self.Meta.model._meta.many_to_many}
        m2m = {k: v for k, v in validated_data.items() if k in m2m_names}
        request = self.context.get("request")
        return records.save_record(
            self.target(), actor=request.user if request else None, m2m=m2m, clean=False
        )
