import re

from django import forms

from citygrid.cases.models import CaseCategory
from citygrid.core.forms import ScopedModelForm
from citygrid.portal.models import BlockedIp, BlockedPhone

MAX_PHOTOS = 6
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one input; each is checked by the intake's photo rules later."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(f"最多上传 {MAX_PHOTOS} 张照片")
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class CategorySelect(forms.Select):
    """Each option carries the words a citizen might type for it (`data-search`), which the
    page's search matches as well as the name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_terms: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        terms = self.search_terms.get(str(value))
        if terms:
            option["attrs"]["data-search"] = terms
        return option


class CategoryChoiceField(forms.ModelChoiceField):
    widget = CategorySelect

    def label_from_instance(self, obj) -> str:
        return obj.name


def grouped_categories(categories) -> list:
    """Choices grouped by major class (事件 and 部件 have majors of the same name, so the
    group says which), in code order."""
    groups: dict[int, tuple[str, list]] = {}
    for category in categories:
        parent = category.parent
        label = f"{parent.name}（{parent.get_kind_display()}）"
        groups.setdefault(parent.pk, (label, []))[1].append((category.pk, category.name))
    return list(groups.values())


class ReportForm(forms.Form):
    category = CategoryChoiceField(
        label="问题类别",
        queryset=CaseCategory.objects.none(),
        empty_label="请选择或搜索问题类别",
        error_messages={"required": "请选择问题类别", "invalid_choice": "请选择有效的问题类别"},
    )
    description = forms.CharField(
        label="问题描述",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "请简要描述您看到的问题"}),
        error_messages={"required": "请填写问题描述"},
    )
    photos = MultiplePhotoField(
        label="现场照片",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    address = forms.CharField(label="地址或标志物", max_length=200, required=False)
    lng = forms.FloatField(
        widget=forms.HiddenInput,
        min_value=-180,
        max_value=180,
        error_messages={"required": "请在地图上选择位置或使用当前定位"},
    )
    lat = forms.FloatField(
        widget=forms.HiddenInput,
        min_value=-90,
        max_value=90,
        error_messages={"required": "请在地图上选择位置或使用当前定位"},
    )
    reporter_name = forms.CharField(label="您的称呼（选填）", max_length=50, required=False)
    reporter_phone = forms.CharField(
        label="手机号码（选填，用于查询进度）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    anonymous = forms.BooleanField(
        label="匿名上报（工作人员看不到您的称呼和手机号）", required=False
    )
    token = forms.CharField(widget=forms.HiddenInput)
    # Hidden from people by CSS; only robots fill it in.
    homepage = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(
            CaseCategory.objects.reportable().select_related("parent").order_by("kind", "code")
        )
        field = self.fields["category"]
        field.queryset = CaseCategory.objects.reportable()
        field.choices = [("", field.empty_label), *grouped_categories(categories)]
        field.widget.search_terms = {str(c.pk): c.search_terms() for c in categories}

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not TOKEN_RE.match(token):
            raise forms.ValidationError("页面已失效，请刷新后重新提交")
        return token

    def clean_lng(self):
        # Two decimals short of a metre is enough; no false precision is stored.
        return round(self.cleaned_data["lng"], 7)

    def clean_lat(self):
        return round(self.cleaned_data["lat"], 7)


class FollowForm(forms.Form):
    number = forms.CharField(
        label="案件编号", max_length=20, error_messages={"required": "请填写案件编号"}
    )
    phone = forms.CharField(
        label="上报时填写的手机号码",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "请填写手机号码"},
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class RatingForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label="满意度",
        coerce=int,
        choices=[(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意度"},
    )
    comment = forms.CharField(
        label="评价内容（选填）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DiscardForm(forms.Form):
    note = forms.CharField(
        label="丢弃原因", max_length=200, error_messages={"required": "请填写丢弃原因"}
    )


class BlockedPhoneForm(ScopedModelForm):
    class Meta:
        model = BlockedPhone
        fields = ["phone", "reason"]


class BlockedIpForm(ScopedModelForm):
    class Meta:
        model = BlockedIp
        fields = ["ip", "reason"]
