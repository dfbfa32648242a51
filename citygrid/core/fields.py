from django.db import models

from citygrid.core import crypto


class EncryptedCharField(models.TextField):
    """Stores SM4 ciphertext; Python code sees plaintext.

    Pair it with a `<name>_index` CharField filled from `crypto.blind_index` for exact search
    (see `SensitiveFieldsMixin`). It cannot be filtered or ordered by value in SQL — by design.
    """

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else ""

    def get_prep_value(self, value):
        return crypto.encrypt(value) if value else ""

    def formfield(self, **kwargs):
        from django import forms

        kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)


class DictField(models.CharField):
    """A value from a code table (`Dictionary.code`), validated against its items.

    The model gets `get_<name>_label()`; forms get a select of the table's active values.
    """

    def __init__(self, *args, dictionary: str = "", **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("blank", True)
        self.dictionary = dictionary
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["dictionary"] = self.dictionary
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        code = self.dictionary

        def get_label(obj):
            from citygrid.core import dictionaries

            return dictionaries.label(code, getattr(obj, name))

        setattr(cls, f"get_{name}_label", get_label)

    def validate(self, value, model_instance):
        from django.core.exceptions import ValidationError

        from citygrid.core import dictionaries

        super().validate(value, model_instance)
        if value and not dictionaries.exists(self.dictionary, value):
            raise ValidationError(f"“{value}”不是代码表“{self.dictionary}”中的值", code="invalid")

    def formfield(self, **kwargs):
        from django import forms

        from citygrid.core import dictionaries

        code = self.dictionary
        return forms.ChoiceField(
            label=self.verbose_name,
            required=not self.blank,
            help_text=self.help_text,
            choices=lambda: [("", "---------"), *dictionaries.choices(code)],
        )
