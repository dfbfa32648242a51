"""Sensitive inputs of the people forms: typed in clear, never printed back into the page."""

from django import forms

KEEP_HINT = "已登记：{}。留空则不修改"


class MaskedInputsMixin:
    """On edit, each stored sensitive value (a guardian's name or phone ...) is left out of its
    input, shown masked as a hint instead: otherwise anyone who may edit the record would find
    it in clear in the page source. Left empty, the stored value stays; "清除…" empties it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.kept = [
            name
            for name in instance.sensitive_fields
            if name in self.fields and instance.pk and getattr(instance, name)
        ]
        order = list(self.fields)
        for name in self.kept:
            field = self.fields[name]
            self.initial[name] = ""
            field.required = False
            field.widget.attrs.update(placeholder=instance.masked(name), autocomplete="off")
            field.help_text = KEEP_HINT.format(instance.masked(name))
            self.fields[f"clear_{name}"] = forms.BooleanField(
                label=f"清除{field.label}",
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            order.insert(order.index(name) + 1, f"clear_{name}")
        self.order_fields(order)

    def clean(self):
        cleaned = super().clean()
        for name in self.kept:
            if cleaned.get(f"clear_{name}"):
                cleaned[name] = ""
            elif not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned
