from django import forms
from django.core.exceptions import ValidationError

from citygrid.core.models import Dictionary, DictItem

SENSITIVE_KEEP_HINT = "已登记：{}。留空则不修改"


class StyledFormMixin:
    """Gives every widget Tabler's (Bootstrap 5) classes so templates stay generic."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class SensitiveInputsMixin:
    """Sensitive fields (`sensitive_fields`) are typed in clear but never printed back.

    Editing a record would otherwise put the stored ID number or phone into the page source
    for anyone who may edit it. On edit the input starts empty with the masked value as
    placeholder and hint; left empty, the stored value stays. A field the model lets be blank
    gets a "清除…" checkbox to empty it; a required one (a person's ID number) cannot be emptied.
    `normalizers` maps a field to a function that cleans a newly typed value.
    """

    normalizers: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.kept = []
        order = list(self.fields)
        for name in instance.sensitive_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            field.widget = forms.TextInput(attrs={**field.widget.attrs, "autocomplete": "off"})
            if not (instance.pk and getattr(instance, name)):
                continue
            self.kept.append(name)
            masked = instance.masked(name)
            self.initial[name] = ""
            field.required = False
            field.widget.attrs["placeholder"] = masked
            field.help_text = SENSITIVE_KEEP_HINT.format(masked)
            if instance._meta.get_field(name).blank:
                self.fields[f"clear_{name}"] = forms.BooleanField(
                    label=f"清除{field.label}",
                    required=False,
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )
                order.insert(order.index(name) + 1, f"clear_{name}")
        self.order_fields(order)

    def clean(self):
        cleaned = super().clean()
        for name in self.instance.sensitive_fields:
            if name not in self.fields or name in self.errors:
                continue
            value = cleaned.get(name) or ""
            if cleaned.get(f"clear_{name}"):
                cleaned[name] = ""
            elif not value and name in self.kept:
                cleaned[name] = getattr(self.instance, name)
            elif value and name in self.normalizers:
                try:
                    cleaned[name] = self.normalizers[name](value)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned


class MultipleFileInput(forms.FileInput):
    """Several files, drawn as a Chinese button (`core/templates/core/widgets/files.html`,
    `static/citygrid/file-picker.js`): the browser's own control says "Choose Files"."""

    allow_multiple_selected = True
    template_name = "core/widgets/files.html"

    def __init__(self, attrs=None):
        super().__init__({"class": "visually-hidden", **(attrs or {})})


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label="导入文件", help_text="支持 .xlsx 与 .csv（UTF-8 或 GBK 编码）")
    valid_only = forms.BooleanField(
        label="仅导入有效行",
        required=False,
        help_text="不勾选时，文件中只要有一处错误就不写入任何数据",
    )

    def clean_file(self):
        from django.conf import settings

        from citygrid.core.io.files import FileFormatError, detect_format

        upload = self.cleaned_data["file"]
        try:
            detect_format(upload.name)
        except FileFormatError as exc:
            raise forms.ValidationError(exc.message) from exc
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件过大，最大 {settings.MAX_UPLOAD_BYTES // 1024 // 1024} MB"
            )
        return upload


class ScopedModelForm(StyledFormMixin, forms.ModelForm):
    """A model form whose related-record choices are limited to the user's territory."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "in_scope") and user is not None:
                field.queryset = queryset.in_scope(user)


class DictionaryForm(ScopedModelForm):
    class Meta:
        model = Dictionary
        fields = ["code", "name", "standard", "description"]


class DictItemForm(ScopedModelForm):
    class Meta:
        model = DictItem
        fields = ["dictionary", "value", "label", "sort", "active"]
