"""Forms of the grid app's pages that post to the server directly (not through the outbox).

The dispute registration posts here because its one door (`disputes.intake.register_dispute`)
has no idempotency key: a queued upload retried after a lost answer would register it twice.
These forms turn the phone's fields into a `Registration` and add the grid app's own rule (the
grid is one of mine); every rule about what may be registered lives in the intake.
"""

from django import forms

from citygrid.core import dictionaries
from citygrid.core.forms import StyledFormMixin
from citygrid.disputes.choices import DisputeLevel, PartyKind, PartySide
from citygrid.disputes.intake import Party
from citygrid.disputes.models import CATEGORY_DICTIONARY
from citygrid.mobile import services


class MarkInvalidMixin:
    """Tabler's red outline on the fields the server refused, so the worker finds them on a
    long page."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def _required(message: str) -> dict:
    return {"required": message, "invalid": message, "invalid_choice": message}


class DisputeForm(MarkInvalidMixin, StyledFormMixin, forms.Form):
    grid = forms.ModelChoiceField(
        label="所属网格",
        queryset=None,
        error_messages=_required("请选择您负责的网格"),
    )
    category = forms.ChoiceField(label="纠纷类别", error_messages=_required("请选择纠纷类别"))
    title = forms.CharField(
        label="纠纷名称",
        max_length=100,
        error_messages={"required": "请填写纠纷名称", "max_length": "纠纷名称最多 100 字"},
    )
    description = forms.CharField(
        label="简要情况",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "请填写简要情况", "max_length": "简要情况最多 4000 字"},
    )
    address = forms.CharField(
        label="发生地点",
        max_length=200,
        required=False,
        error_messages={"max_length": "发生地点最多 200 字"},
    )
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    people_count = forms.IntegerField(
        label="涉及人数",
        min_value=1,
        max_value=100000,
        initial=2,
        error_messages={
            "required": "请填写涉及人数",
            "invalid": "涉及人数应为整数",
            "min_value": "涉及人数至少为 1",
            "max_value": "涉及人数不能超过 100000",
        },
    )
    amount = forms.DecimalField(
        label="涉及金额（元）",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages={
            "invalid": "涉及金额应为数字",
            "min_value": "涉及金额不能为负数",
            "max_digits": "涉及金额过大",
            "max_decimal_places": "涉及金额最多保留两位小数",
            "max_whole_digits": "涉及金额过大",
        },
    )
    level = forms.ChoiceField(
        label="纠纷等级",
        choices=DisputeLevel.choices,
        initial=DisputeLevel.ORDINARY,
        widget=forms.RadioSelect,
        error_messages=_required("请选择纠纷等级"),
    )
    risk_petition = forms.BooleanField(label="可能越级上访", required=False)
    risk_mass_incident = forms.BooleanField(label="可能引发群体性事件", required=False)
    risk_criminal = forms.BooleanField(label="可能民转刑", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        grids = services.my_grids(user)
        self.fields["grid"].queryset = grids
        # One grid needs no choice; with several the worker picks (the page preselects the
        # grid the phone stands in).
        if grids.count() == 1:
            self.fields["grid"].empty_label = None
        else:
            self.fields["grid"].empty_label = "请选择网格"
        self.fields["category"].choices = [
            ("", "请选择纠纷类别"),
            *dictionaries.choices(CATEGORY_DICTIONARY),
        ]
        self.fields["people_count"].widget.attrs["inputmode"] = "numeric"
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"
        self.fields["level"].widget.attrs["class"] = "btn-check"

    def risk_fields(self) -> list:
        return [self[name] for name in ("risk_petition", "risk_mass_incident", "risk_criminal")]

    def clean(self):
        cleaned = super().clean()
        # A position is both coordinates or none: half of one would be a wrong point.
        if (cleaned.get("lng") is None) != (cleaned.get("lat") is None):
            cleaned["lng"] = cleaned["lat"] = None
        return cleaned


class PartyForm(MarkInvalidMixin, StyledFormMixin, forms.Form):
    """One 申请人 or 被申请人; a row left empty is no party."""

    side = forms.ChoiceField(
        label="当事人类型", choices=PartySide.choices, error_messages=_required("请选择当事人类型")
    )
    kind = forms.ChoiceField(
        label="个人/组织",
        choices=PartyKind.choices,
        initial=PartyKind.PERSON,
        error_messages=_required("请选择个人或组织"),
    )
    name = forms.CharField(
        label="姓名/名称",
        max_length=100,
        required=False,
        error_messages={"max_length": "姓名/名称最多 100 字"},
    )
    id_number = forms.CharField(
        label="证件号码",
        max_length=30,
        required=False,
        error_messages={"max_length": "证件号码最多 30 位"},
    )
    phone = forms.CharField(
        label="电话",
        max_length=20,
        required=False,
        error_messages={"max_length": "电话最多 20 位"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "id_number", "phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.attrs["inputmode"] = "tel"

    def has_changed(self) -> bool:
        # Side and kind always carry a value; a row counts once something is typed in it.
        return any(
            self.data.get(self.add_prefix(n), "").strip() for n in ("name", "id_number", "phone")
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name", "").strip() and (
            cleaned.get("id_number", "").strip() or cleaned.get("phone", "").strip()
        ):
            self.add_error("name", "请填写当事人姓名或名称")
        return cleaned

    def party(self) -> Party:
        data = self.cleaned_data
        return Party(
            side=data["side"],
            kind=data["kind"],
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
        )


class BasePartyFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": "页面已过期，请刷新后重新填写当事人",
        "too_many_forms": "当事人最多登记 %(num)d 名",
        "too_few_forms": "当事人至少登记 %(num)d 名",
    }

    def parties(self) -> list[Party]:
        return [form.party() for form in self.forms if form.has_changed()]


PartyFormSet = forms.formset_factory(
    PartyForm, formset=BasePartyFormSet, extra=0, max_num=50, absolute_max=50, validate_max=True
)

# The rows a new registration starts with: one applicant, one respondent.
NEW_PARTIES = [
    {"side": PartySide.APPLICANT, "kind": PartyKind.PERSON},
    {"side": PartySide.RESPONDENT, "kind": PartyKind.PERSON},
]
