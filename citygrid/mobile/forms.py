"""The grid app's uploads, parsed and checked before anything is written."""

from django import forms

from citygrid.cases.choices import Urgency
from citygrid.cases.models import CaseCategory

MAX_PHOTOS = 9


class KeyedForm(forms.Form):
    # A UUID the phone made when the item was queued; retries send the same one.
    idempotency_key = forms.CharField(
        label="提交编号", min_length=8, max_length=64, error_messages={"required": "缺少提交编号"}
    )


class ReportForm(KeyedForm):
    category = forms.ModelChoiceField(
        label="问题类别",
        queryset=CaseCategory.objects.reportable(),
        error_messages={"required": "请选择问题类别", "invalid_choice": "请选择有效的问题类别"},
    )
    description = forms.CharField(
        label="问题描述", max_length=2000, error_messages={"required": "请填写问题描述"}
    )
    lng = forms.FloatField(
        label="经度", min_value=-180, max_value=180, error_messages={"required": "缺少定位"}
    )
    lat = forms.FloatField(
        label="纬度", min_value=-90, max_value=90, error_messages={"required": "缺少定位"}
    )
    accuracy = forms.FloatField(label="定位精度（米）", min_value=0, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False)


class VerifyForm(KeyedForm):
    passed = forms.TypedChoiceField(
        label="核查结果",
        choices=[("1", "通过"), ("0", "不通过")],
        coerce=lambda v: v == "1",
        error_messages={"required": "请选择核查结果"},
    )
    note = forms.CharField(label="核查意见", max_length=2000, required=False)


class PatrolForm(KeyedForm):
    result = forms.CharField(
        label="巡查情况", max_length=4000, error_messages={"required": "请填写巡查情况"}
    )


class VisitForm(KeyedForm):
    target = forms.CharField(
        label="走访对象", max_length=100, error_messages={"required": "请填写走访对象"}
    )
    findings = forms.CharField(
        label="走访情况", max_length=4000, error_messages={"required": "请填写走访情况"}
    )
    visited_at = forms.DateTimeField(label="走访时间", required=False)
    place = forms.CharField(label="地点", max_length=200, required=False)
    lng = forms.FloatField(label="经度", min_value=-180, max_value=180, required=False)
    lat = forms.FloatField(label="纬度", min_value=-90, max_value=90, required=False)
    next_visit = forms.DateField(label="下次走访", required=False)
    person = forms.IntegerField(label="走访人员", required=False)


class LookupForm(forms.Form):
    q = forms.CharField(label="关键词", min_length=1, max_length=50)
