"""Forms of the case screens: configuration records, the report form, the action forms and
the field-work forms (patrol tasks, visits). Workflow rules are the engine's: these forms only
turn request data into the arguments of `intake`/`actions` calls."""

from datetime import datetime, time
from decimal import Decimal
from itertools import groupby

from django import forms
from django.db.models import Q
from django.utils import timezone

from citygrid.cases.choices import Channel, SupervisionLevel, TaskKind, Urgency
from citygrid.cases.intake import Report
from citygrid.cases.models import (
    CalendarDay,
    Case,
    CaseCategory,
    Department,
    DispatchRule,
    Task,
    TimeLimit,
    Visit,
    WorkingPeriod,
)
from citygrid.cases.routing import responsible_department
from citygrid.cases.workflow import Transition
from citygrid.core.forms import ScopedModelForm, StyledFormMixin
from citygrid.core.querysets import scope_q
from citygrid.regions.geo.index import load_index

DATETIME_LOCAL = {"type": "datetime-local"}
DATE = {"type": "date"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos in one input; cleaned to a list (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class CategoryIterator(forms.models.ModelChoiceIterator):
    """Minor classes grouped under their major class (optgroups for the searchable select)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.select_related("parent").order_by("kind", "parent__code", "code")
        for parent, minors in groupby(rows, key=lambda c: c.parent):
            label = f"{parent.get_kind_display()} · {parent}"
            yield (label, [self.choice(c) for c in minors])


class CategoryChoiceField(forms.ModelChoiceField):
    iterator = CategoryIterator


def minor_categories():
    return CaseCategory.objects.reportable()


# --- configuration ----------------------------------------------------------------------------


class CaseCategoryForm(ScopedModelForm):
    class Meta:
        model = CaseCategory
        fields = [
            "kind",
            "parent",
            "code",
            "name",
            "register_criteria",
            "closing_criteria",
            "active",
        ]
        widgets = {
            "register_criteria": forms.Textarea(attrs={"rows": 3}),
            "closing_criteria": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = CaseCategory.objects.filter(parent__isnull=True)
        self.fields["parent"].help_text = "留空表示大类（2位代码）；小类代码为4位"


class DepartmentForm(ScopedModelForm):
    class Meta:
        model = Department
        fields = ["region", "name", "code", "phone", "members", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].label = "所属区域（层级）"
        # Departments sit at a level of government, never inside a single grid.
        self.fields["region"].queryset = self.fields["region"].queryset.exclude(
            level__in=["grid", "village_group"]
        )
        self.fields["members"].queryset = self.fields["members"].queryset.filter(is_active=True)


class DispatchRuleForm(ScopedModelForm):
    category = CategoryChoiceField(queryset=minor_categories(), label="小类")

    class Meta:
        model = DispatchRule
        fields = ["category", "region", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].label = "适用区域"
        self.fields["region"].help_text = "规则适用于该区域及其下级区域，下级区域的规则优先"
        self.fields["department"].queryset = self.fields["department"].queryset.filter(active=True)


class TimeLimitForm(ScopedModelForm):
    category = CategoryChoiceField(queryset=minor_categories(), label="小类")

    class Meta:
        model = TimeLimit
        fields = ["category", "urgency", "step", "amount", "unit"]


class CalendarDayForm(ScopedModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "note"]
        widgets = {"date": forms.DateInput(attrs=DATE)}


class WorkingPeriodForm(ScopedModelForm):
    class Meta:
        model = WorkingPeriod
        fields = ["start", "end"]
        widgets = {
            "start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


# --- reporting --------------------------------------------------------------------------------


class ReportForm(StyledFormMixin, forms.Form):
    """What a call-taker types in; `intake.report_case` does the checking that matters."""

    category = CategoryChoiceField(queryset=minor_categories(), label="事部件小类")
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label="地址", max_length=200, required=False)
    lng = forms.FloatField(widget=forms.HiddenInput, required=False)
    lat = forms.FloatField(widget=forms.HiddenInput, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    channel = forms.ChoiceField(label="来源", choices=Channel.choices, initial=Channel.HOTLINE)
    reporter_name = forms.CharField(label="上报人姓名", max_length=50, required=False)
    reporter_phone = forms.CharField(label="上报人电话", max_length=20, required=False)
    photos = MultipleFileField(label="现场照片", required=False, help_text="可选择多张")
    visit = forms.IntegerField(widget=forms.HiddenInput, required=False)
    task = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("lng") is None or data.get("lat") is None:
            raise forms.ValidationError("请在地图上点选事发位置", code="position_required")
        return data

    def report(self) -> Report:
        data = self.cleaned_data
        return Report(
            category=data["category"],
            description=data["description"],
            lng=data["lng"],
            lat=data["lat"],
            address=data["address"],
            urgency=data["urgency"],
            channel=data["channel"],
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"],
            photos=data["photos"],
        )


# --- workflow actions -------------------------------------------------------------------------


def dispatch_departments(case: Case, user):
    """Departments a case may be sent to: active ones on the case's path up the tree (the
    matrix's candidates) or inside the dispatcher's own territory, plus the matrix's choice."""
    qs = Department.objects.filter(active=True)
    if user.is_superuser:
        return qs
    code = case.region_code
    prefixes = [code[:n] for n in (4, 6, 9, 12, 15) if n <= len(code)]
    suggested = responsible_department(case)
    q = Q(region_code__in=prefixes) | scope_q("region_code", user.scope_codes())
    if suggested:
        q |= Q(pk=suggested.pk)
    return qs.filter(q)


class ActionForm(StyledFormMixin, forms.Form):
    """The inputs of one transition; the fields it does not need are dropped."""

    note = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label="照片", required=False)
    department = forms.ModelChoiceField(
        label="派遣部门",
        queryset=Department.objects.none(),
        required=False,
        empty_label="按派遣规则自动确定",
    )
    hours = forms.DecimalField(
        label="延期时长（工作时）",
        min_value=Decimal("0.5"),
        max_value=Decimal("720"),
        decimal_places=2,
    )
    satisfaction = forms.TypedChoiceField(
        label="满意度",
        coerce=int,
        choices=[
            (5, "5 非常满意"),
            (4, "4 满意"),
            (3, "3 基本满意"),
            (2, "2 不满意"),
            (1, "1 非常不满意"),
        ],
    )
    into = forms.CharField(label="合并至事件编号", max_length=20)
    required_by = forms.DateTimeField(
        label="要求完成时间", widget=forms.DateTimeInput(attrs=DATETIME_LOCAL)
    )
    level = forms.TypedChoiceField(
        label="督办级别",
        coerce=int,
        choices=SupervisionLevel.choices,
        initial=SupervisionLevel.GENERAL,
    )

    EXTRA_FIELDS = {
        "dispatch": ("department",),
        "request_extension": ("hours",),
        "evaluate": ("satisfaction",),
        "merge": ("into",),
        "supervise": ("required_by", "level"),
        "verify_pass": ("photos",),
        "verify_fail": ("photos",),
    }

    def __init__(self, *args, transition: Transition, case: Case, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{transition.action}_%s")
        super().__init__(*args, **kwargs)
        self.transition, self.case, self.user = transition, case, user
        keep = {"note", *self.EXTRA_FIELDS.get(transition.action, ())}
        if transition.needs_photo:
            keep.add("photos")
            self.fields["photos"].widget.attrs["required"] = True
            self.fields["photos"].label = "处置后照片（必传）"
        if transition.needs_note:
            self.fields["note"].widget.attrs["required"] = True
            self.fields["note"].label = "意见（必填）"
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "department" in self.fields:
            suggested = responsible_department(case)
            self.fields["department"].queryset = dispatch_departments(case, user)
            self.fields["department"].initial = suggested
            self.fields["department"].help_text = (
                f"派遣规则：{suggested}" if suggested else "派遣规则未配置此类事件，请选择部门"
            )
        if "into" in self.fields and case.possible_duplicate_of_id:
            self.fields["into"].initial = case.possible_duplicate_of.number

    def clean_into(self) -> Case:
        number = self.cleaned_data["into"].strip()
        target = Case.objects.restrict(self.user, "view").filter(number=number).first()
        if target is None:
            raise forms.ValidationError(f"未找到编号为 {number} 的事件（或不在您的管辖范围内）")
        return target

    def action_inputs(self) -> dict:
        """The inputs `actions.perform` takes, named as it names them."""
        data = self.cleaned_data
        kwargs = {"note": data.get("note", "")}
        if "photos" in self.fields:
            kwargs["photos"] = data["photos"]
        names = {"department", "hours", "satisfaction", "into", "required_by", "level"}
        kwargs.update({name: data[name] for name in names if name in self.fields})
        return kwargs

    def error_text(self) -> str:
        return "；".join(
            f"{self.fields[name].label}：{msg}" if name in self.fields else msg
            for name, errors in self.errors.items()
            for msg in errors
        )


class SupervisionAnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(label="回复内容", widget=forms.Textarea(attrs={"rows": 4}))


# --- field work -------------------------------------------------------------------------------


def parse_checkpoints(text: str) -> list[dict]:
    """Lines "名称,经度,纬度" (Chinese or ASCII commas) → [{"name", "lng", "lat"}]."""
    points, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace("，", ",").split(",")]
        if len(parts) != 3 or not parts[0]:
            errors.append(f"第{number}行应为“名称,经度,纬度”")
            continue
        try:
            lng, lat = float(parts[1]), float(parts[2])
        except ValueError:
            errors.append(f"第{number}行的经纬度不是数字")
            continue
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            errors.append(f"第{number}行的经纬度超出范围")
            continue
        points.append({"name": parts[0], "lng": lng, "lat": lat})
    if errors:
        raise forms.ValidationError(errors)
    return points


class TaskForm(ScopedModelForm):
    """A patrol task (verification tasks are created by the workflow)."""

    checkpoints_text = forms.CharField(
        label="打卡点",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一个：名称,经度,纬度（WGS-84），如：东门,120.0051,30.0032",
    )

    class Meta:
        model = Task
        fields = ["region", "title", "assignee", "start_date", "end_date", "frequency"]
        widgets = {
            "start_date": forms.DateInput(attrs=DATE),
            "end_date": forms.DateInput(attrs=DATE),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="grid")
        self.fields["region"].label = "巡查网格"
        self.fields["assignee"].queryset = self.fields["assignee"].queryset.filter(is_active=True)
        if self.instance.checkpoints and not self.is_bound:
            self.initial["checkpoints_text"] = "\n".join(
                f"{p['name']},{p['lng']},{p['lat']}" for p in self.instance.checkpoints
            )

    def clean_checkpoints_text(self) -> list[dict]:
        return parse_checkpoints(self.cleaned_data.get("checkpoints_text", ""))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "结束日期不能早于开始日期")
        return data

    def save(self, commit=True):
        task = super().save(commit=False)
        if not task.pk:
            task.kind = TaskKind.PATROL
        task.checkpoints = self.cleaned_data["checkpoints_text"]
        end = self.cleaned_data.get("end_date")
        if task.kind == TaskKind.PATROL:
            # Due at the end of the last day: the countdown on the task list runs to it.
            task.due_at = (
                timezone.make_aware(datetime.combine(end, time(23, 59, 59))) if end else None
            )
        if commit:
            task.save()
        return task


class TaskDoneForm(StyledFormMixin, forms.Form):
    result = forms.CharField(label="执行情况", widget=forms.Textarea(attrs={"rows": 3}))


class VisitForm(ScopedModelForm):
    class Meta:
        model = Visit
        fields = ["target", "visited_at", "place", "region", "lng", "lat", "findings", "next_visit"]
        widgets = {
            "visited_at": forms.DateTimeInput(attrs=DATETIME_LOCAL, format="%Y-%m-%dT%H:%M"),
            "next_visit": forms.DateInput(attrs=DATE),
            "lng": forms.HiddenInput,
            "lat": forms.HiddenInput,
            "findings": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="grid")
        self.fields["region"].required = False
        self.fields["region"].label = "所在网格"
        self.fields["region"].help_text = "在地图上点选位置时自动确定"
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("visited_at", timezone.localtime().replace(second=0))

    def clean(self):
        data = super().clean()
        lng, lat = data.get("lng"), data.get("lat")
        if (lng is None) != (lat is None):
            raise forms.ValidationError("位置需同时有经度和纬度")
        if lng is not None:
            grid_id = load_index().locate(lng, lat)
            grid = self.fields["region"].queryset.filter(pk=grid_id).first() if grid_id else None
            if grid is None:
                raise forms.ValidationError("该位置不在您管辖的任何网格内，请核对位置")
            data["region"] = grid
        if data.get("region") is None and "region" not in self.errors:
            self.add_error("region", "请选择网格，或在地图上点选走访位置")
        return data

    def save(self, commit=True):
        visit = super().save(commit=False)
        visit.region = self.cleaned_data["region"]
        if visit.visitor_id is None:
            visit.visitor = self.user
        if commit:
            visit.save()
        return visit
