"""Forms of the case screens: configuration records, the report form, the action forms and
the field-work forms (patrol tasks, visits). Workflow rules are the engine's: these forms only
turn request data into the arguments of `intake`/`actions` calls."""

from datetime import datetime, time
from itertools import groupby

from django import forms
from django.utils import timezone

from citygrid.accounts.widgets import use_account_picker
from citygrid.cases.choices import Channel, TaskKind, Urgency, VerificationOutcome
from citygrid.cases.engine import Input, Transition
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
from citygrid.cases.routing import dispatch_departments, responsible_department
from citygrid.core import dictionaries, records
from citygrid.core.forms import ScopedModelForm, StyledFormMixin
from citygrid.regions.choices import RegionLevel
from citygrid.regions.geo.index import load_index
from citygrid.regions.widgets import GOVERNMENT_LEVELS, use_picker

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
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
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
            "keywords",
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
        use_picker(self.fields["region"], *GOVERNMENT_LEVELS)
        self.fields["members"].queryset = self.fields["members"].queryset.filter(is_active=True)
        use_account_picker(self.fields["members"], "cases:department_account_search")


class DispatchRuleForm(ScopedModelForm):
    category = CategoryChoiceField(queryset=minor_categories(), label="小类")

    class Meta:
        model = DispatchRule
        fields = ["category", "region", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].label = "适用区域"
        self.fields["region"].help_text = "规则适用于该区域及其下级区域，下级区域的规则优先"
        use_picker(self.fields["region"])
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


class CaseNumberField(forms.CharField):
    """A case number as people type it, cleaned to the case if `user` may see it."""

    def __init__(self, *, user, **kwargs):
        super().__init__(max_length=20, **kwargs)
        self.user = user

    def clean(self, value) -> Case | None:
        number = super().clean(value)
        if not number:
            return None
        target = Case.objects.restrict(self.user, "view").filter(number=number).first()
        if target is None:
            raise forms.ValidationError(f"未找到编号为 {number} 的事件（或不在您的管辖范围内）")
        return target


def input_field(spec: Input, transition: Transition, case, user, workflow=None) -> forms.Field:
    """The form field of one declared input of `transition` on `case` (a record of `workflow`;
    the case workflow when None)."""
    initial = getattr(case, spec.name) if spec.from_record else spec.initial
    common = {"label": spec.label, "required": spec.required, "initial": initial}
    if spec.required:
        common["error_messages"] = {"required": spec.missing(transition).message}
    match spec.kind:
        case "text":
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        case "line":
            return forms.CharField(max_length=200, **common)
        case "boolean":
            return forms.BooleanField(**{**common, "required": False})
        case "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case "dictionary":
            choices = [("", "---------"), *dictionaries.choices(spec.dictionary)]
            return forms.ChoiceField(choices=choices, **common)
        case "department" if workflow is not None and workflow.departments is not None:
            return forms.ModelChoiceField(queryset=workflow.departments(case, user), **common)
        case "photos":
            return MultipleFileField(**common)
        case "department":
            suggested = responsible_department(case)
            common["initial"] = suggested
            hint = f"派遣规则：{suggested}" if suggested else "派遣规则未配置此类事件，请选择部门"
            return forms.ModelChoiceField(
                queryset=dispatch_departments(case, user),
                empty_label="按派遣规则自动确定",
                help_text=hint,
                **common,
            )
        case "decimal":
            return forms.DecimalField(
                min_value=spec.min_value, max_value=spec.max_value, decimal_places=2, **common
            )
        case "choice":
            coerce = type(spec.choices[0][0])
            return forms.TypedChoiceField(coerce=coerce, choices=spec.choices, **common)
        case "case":
            if case.possible_duplicate_of_id:
                common["initial"] = case.possible_duplicate_of.number
            return CaseNumberField(user=user, **common)
        case "datetime":
            return forms.DateTimeField(widget=forms.DateTimeInput(attrs=DATETIME_LOCAL), **common)
    raise ValueError(f"unknown input kind {spec.kind!r}")


class ActionForm(StyledFormMixin, forms.Form):
    """The inputs `transition` declares, as form fields; `cleaned_data` is what
    `actions.perform` takes."""

    def __init__(self, *args, transition: Transition, case, user, workflow=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_{transition.action}_%s")
        self.transition, self.case, self.user = transition, case, user
        # Per-instance base fields: Form.__init__ copies them, and the styling mixin then sees them.
        self.base_fields = {
            i.name: input_field(i, transition, case, user, workflow) for i in transition.inputs
        }
        super().__init__(*args, **kwargs)

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
        use_picker(self.fields["region"], RegionLevel.GRID)
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
            records.save_record(task, actor=self.user)
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
        self.fields["region"].required = False
        use_picker(self.fields["region"], RegionLevel.GRID)
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
            records.save_record(visit, actor=self.user)
        return visit


class VerificationSendForm(StyledFormMixin, forms.Form):
    """What the grid worker should check about a person or a house (核查任务)."""

    instructions = forms.CharField(
        label="核查内容",
        max_length=1000,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "如：核实现住地址与联系电话是否准确"}
        ),
    )
    end_date = forms.DateField(
        label="完成期限", required=False, widget=forms.DateInput(attrs=DATE), help_text="可不填"
    )


class VerificationAnswerForm(StyledFormMixin, forms.Form):
    """The grid worker's answer to a 核查任务 (the desk's form; the grid app posts the same)."""

    outcome = forms.ChoiceField(
        label="核查结论", choices=VerificationOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="核查情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    corrections = forms.CharField(
        label="更正内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="信息有误时写明正确信息，如：现住 3 单元 502；手机号已更换",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["class"] = "form-check-input"


class OwnPatrolForm(StyledFormMixin, forms.Form):
    """A patrol task a grid worker sets themselves in one of their grids."""

    grid = forms.ModelChoiceField(label="巡查网格", queryset=None, empty_label=None)
    title = forms.CharField(label="任务标题", max_length=100)
    end_date = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs=DATE))
    frequency = forms.CharField(label="频次", max_length=50, required=False)
    instructions = forms.CharField(
        label="巡查要点", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids
