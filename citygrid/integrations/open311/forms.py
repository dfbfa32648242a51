from django import forms

from citygrid.cases.models import CaseCategory
from citygrid.core.forms import ScopedModelForm
from citygrid.integrations.open311.models import ApiClient, ServiceAttribute


class ApiClientForm(ScopedModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "contact", "active", "note"]


class ServiceAttributeForm(ScopedModelForm):
    values_text = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="单选、多选时每行一项，格式“键=名称”，如 1=轻微",
    )

    class Meta:
        model = ServiceAttribute
        fields = [
            "category",
            "code",
            "description",
            "datatype",
            "datatype_description",
            "required",
            "variable",
            "order",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.reportable()
        if self.instance.pk:
            self.initial["values_text"] = "\n".join(
                f"{v['key']}={v['name']}" for v in self.instance.values
            )

    def clean(self):
        cleaned = super().clean()
        values = []
        for number, line in enumerate(cleaned.get("values_text", "").splitlines(), 1):
            if not line.strip():
                continue
            key, sep, name = line.partition("=")
            if not sep or not key.strip() or not name.strip():
                self.add_error("values_text", f"第{number}行应为“键=名称”")
                return cleaned
            values.append({"key": key.strip(), "name": name.strip()})
        keys = [v["key"] for v in values]
        if len(set(keys)) != len(keys):
            self.add_error("values_text", "选项的键不能重复")
        is_list = cleaned.get("datatype") in (
            ServiceAttribute.DataType.SINGLE,
            ServiceAttribute.DataType.MULTI,
        )
        if is_list and not values:
            self.add_error("values_text", "单选、多选须至少填写一个选项")
        if not is_list and values:
            self.add_error("values_text", "只有单选、多选需要选项")
        self.instance.values = values
        return cleaned
