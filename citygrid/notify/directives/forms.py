"""The directive form (targets chosen from the sender's territory only) and the 反馈 form."""

from django import forms

from citygrid.accounts.models import User
from citygrid.accounts.widgets import use_account_picker
from citygrid.core.forms import MultipleFileInput, StyledFormMixin
from citygrid.notify.directives.pickers import TargetField, TargetPicker, staff_in_scope
from citygrid.notify.directives.targets import KINDS, TARGET_LEVELS, Targets
from citygrid.regions.models import Region
from citygrid.regions.widgets import GOVERNMENT_LEVELS, use_picker

MAX_FILE_SIZE = 20 * 1024 * 1024


class MultipleFileField(forms.FileField):
    """Several files in one input; cleaned to a list (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(MultipleFileField, self).clean(item, initial) for item in items]
        if any(f.size > MAX_FILE_SIZE for f in files):
            raise forms.ValidationError("单个附件不能超过 20MB")
        return files


class DirectiveForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="指令内容", widget=forms.Textarea(attrs={"rows": 5}))
    deadline = forms.DateTimeField(
        label="办理期限", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    files = MultipleFileField(label="附件")
    regions = forms.ModelMultipleChoiceField(
        label="下达区域", queryset=Region.objects.all(), required=False
    )
    levels = forms.MultipleChoiceField(
        label="下达到的层级",
        choices=TARGET_LEVELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="所选区域内、这些层级的工作人员都会收到",
    )
    users = forms.ModelMultipleChoiceField(
        label="指定人员", queryset=User.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The styling mixin dresses every other widget as an input; each level is a checkbox.
        self.fields["levels"].widget.attrs["class"] = "form-check-input"
        # Every region may be asked for: one outside the territory is refused by the action
        # with its own message, not by the field as an invalid choice.
        use_picker(self.fields["regions"], *GOVERNMENT_LEVELS)
        self.fields["users"].queryset = staff_in_scope(user)
        use_account_picker(self.fields["users"], "notify:directive_staff_search")
        for kind, spec in KINDS.items():
            if spec.search:
                field = TargetField(label=spec.label, required=False)
                field.widget = TargetPicker(spec, user)
            else:
                field = forms.MultipleChoiceField(
                    label=spec.label,
                    choices=spec.choices(user, None),
                    required=False,
                    widget=forms.SelectMultiple(attrs={"class": "form-select"}),
                )
            self.fields[f"kind_{kind}"] = field

    def clean_levels(self):
        return self.cleaned_data["levels"] or []

    def targets(self) -> Targets:
        data = self.cleaned_data
        return Targets(
            regions=list(data["regions"]),
            levels=data["levels"],
            users=list(data["users"]),
            kinds={kind: data.get(f"kind_{kind}", []) for kind in KINDS},
        )


class AnswerForm(StyledFormMixin, forms.Form):
    answer = forms.CharField(
        label="反馈内容", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    files = MultipleFileField(label="附件")
