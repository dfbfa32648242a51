from django import forms

from citygrid.core.models import Dictionary, DictItem


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
