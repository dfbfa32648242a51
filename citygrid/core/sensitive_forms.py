"""Sensitive fields on model forms: typed in clear, never printed back in clear."""

from django import forms
from django.core.exceptions import ValidationError

SENSITIVE_KEEP_HINT = "已登记：{}。留空则不修改"


class SensitiveInputsMixin:
    """Sensitive fields are typed in clear but never shown in clear on an edit form.

    Editing a record would otherwise print the stored ID number into the page source. On edit
    the input starts empty with the masked value as a hint; left empty, the stored value stays.
    """

    normalizers: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        for name in instance.sensitive_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            field.widget = forms.TextInput(attrs={**field.widget.attrs, "autocomplete": "off"})
            if instance.pk and getattr(instance, name):
                self.initial[name] = ""
                field.required = False
                field.help_text = SENSITIVE_KEEP_HINT.format(instance.masked(name))

    def clean(self):
        cleaned = super().clean()
        for name in self.instance.sensitive_fields:
            if name not in self.fields:
                continue
            value = cleaned.get(name, "")
            if not value and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
                continue
            normalize = self.normalizers.get(name)
            if normalize and value:
                try:
                    cleaned[name] = normalize(value)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned
