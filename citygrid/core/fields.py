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
