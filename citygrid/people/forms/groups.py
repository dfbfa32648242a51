"""Forms of the category pages.

A membership form carries the kind-specific detail form of its kind (a mental-disorder patient's
diagnosis and risk level, a disabled person's grade ...): both validate, and both are saved in the
generic edit view's transaction, so an invalid detail leaves no membership behind.
"""

from django import forms
from django.core.exceptions import ObjectDoesNotExist

from citygrid.cases.forms import CategoryChoiceField, minor_categories
from citygrid.cases.models import Department
from citygrid.cases.routing import departments_for
from citygrid.core.forms import ScopedModelForm, SensitiveInputsMixin, StyledFormMixin
from citygrid.people.choices import SPECIAL_GROUP_KINDS, Category
from citygrid.people.models import (
    AidsRiskDetail,
    AtRiskYouth,
    CareRecord,
    CorrectionsDetail,
    CustodianAssignment,
    DisabilityDetail,
    DrugUserDetail,
    KeyPerson,
    MentalDisorderDetail,
    Person,
    ReleasedPrisonerDetail,
    SpecialGroup,
    Subsidy,
    VulnerableGroup,
)
from citygrid.people.widgets import PersonPicker
from citygrid.regions.widgets import GOVERNMENT_LEVELS, use_picker

DATE = {"type": "date"}
TEXTAREA = {"rows": 3}
COMMON_FIELDS = [
    "custodian_department",
    "helper_name",
    "helper_phone",
    "started_on",
    "ended_on",
    "note",
]
COMMON_WIDGETS = {
    "started_on": forms.DateInput(attrs=DATE),
    "ended_on": forms.DateInput(attrs=DATE),
    "note": forms.Textarea(attrs=TEXTAREA),
}


def custodian_departments(user):
    """Active departments a user may name as custodian: inside their territory or on the path
    above it (the city's civil-affairs bureau serves every district)."""
    qs = Department.objects.all() if user is None else departments_for(user)
    return qs.filter(active=True).order_by("region_code", "name")


# --- kind-specific details ---------------------------------------------------------------------


class DetailForm(SensitiveInputsMixin, ScopedModelForm):
    """Items of one kind, shown under the membership form (prefix "detail")."""


def _detail_form(model_, fields_: list[str], widgets_: dict | None = None) -> type[DetailForm]:
    meta = type("Meta", (), {"model": model_, "fields": fields_, "widgets": widgets_ or {}})
    return type(f"{model_.__name__}Form", (DetailForm,), {"Meta": meta})


ReleasedPrisonerDetailForm = _detail_form(
    ReleasedPrisonerDetail,
    [
        "offence",
        "sentence",
        "prison",
        "released_on",
        "recidivist",
        "risk",
        "handed_over_on",
        "resettled",
        "not_resettled_reason",
        "reoffended",
        "reoffence",
    ],
    {"released_on": forms.DateInput(attrs=DATE), "handed_over_on": forms.DateInput(attrs=DATE)},
)
CorrectionsDetailForm = _detail_form(
    CorrectionsDetail,
    [
        "corrections_number",
        "kind",
        "offence",
        "sentence",
        "starts_on",
        "ends_on",
        "lost",
        "missed",
        "group_formed",
        "reoffended",
    ],
    {"starts_on": forms.DateInput(attrs=DATE), "ends_on": forms.DateInput(attrs=DATE)},
)
MentalDisorderDetailForm = _detail_form(
    MentalDisorderDetail,
    [
        "diagnosis",
        "risk_level",
        "first_onset",
        "incidents",
        "last_incident",
        "treatment",
        "hospital",
        "guardian_name",
        "guardian_phone",
        "low_income_allowance",
    ],
    {"first_onset": forms.DateInput(attrs=DATE), "last_incident": forms.DateInput(attrs=DATE)},
)
DrugUserDetailForm = _detail_form(
    DrugUserDetail,
    [
        "first_found",
        "control",
        "controller_name",
        "controller_phone",
        "has_record",
        "cause",
    ],
    {"first_found": forms.DateInput(attrs=DATE)},
)
AidsRiskDetailForm = _detail_form(
    AidsRiskDetail, ["infection_route", "has_record", "admitted", "institution"]
)
DisabilityDetailForm = _detail_form(DisabilityDetail, ["kind", "grade", "certificate_number"])

# kind → (form, reverse accessor on the membership). Kinds not listed have no detail items.
SPECIAL_DETAILS = {
    Category.RELEASED_PRISONER: (ReleasedPrisonerDetailForm, "released_prisoner"),
    Category.COMMUNITY_CORRECTIONS: (CorrectionsDetailForm, "corrections"),
    Category.MENTAL_DISORDER: (MentalDisorderDetailForm, "mental_disorder"),
    Category.DRUG_USER: (DrugUserDetailForm, "drug_user"),
    Category.AIDS_RISK: (AidsRiskDetailForm, "aids_risk"),
}
VULNERABLE_DETAILS = {Category.DISABLED: (DisabilityDetailForm, "disability")}


def membership_detail(membership, details: dict):
    """The kind-specific detail row of a membership, or None."""
    entry = details.get(getattr(membership, "kind", ""))
    if entry is None:
        return None
    try:
        return getattr(membership, entry[1])
    except ObjectDoesNotExist:
        return None


# --- memberships -------------------------------------------------------------------------------


class MembershipForm(SensitiveInputsMixin, ScopedModelForm):
    """The person is fixed once the membership exists, and so is the kind (its details follow
    from it); a new membership names its person by `?person=<pk>` from the person page."""

    details: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].label = "人员"
        self.fields["person"].widget = PersonPicker()
        self.fields["custodian_department"].queryset = custodian_departments(self.user)
        person_qs = self.fields["person"].queryset.only("pk", "name", "region_code")
        if self.instance.pk:
            self.fields["person"].disabled = True
            person_qs = Person.objects.filter(pk=self.instance.person_id)
            if "kind" in self.fields:
                self.fields["kind"].disabled = True
        else:
            # One person named (from the person page or the posted form): a one-row select
            # instead of every resident in the territory.
            chosen = self.data.get("person") if self.is_bound else self.initial.get("person")
            if chosen and str(chosen).isdigit():
                person_qs = person_qs.filter(pk=chosen)
        self.fields["person"].queryset = person_qs
        self.detail_form = self._build_detail()

    def chosen_kind(self) -> str:
        if self.instance.pk:
            return getattr(self.instance, "kind", "")
        if self.is_bound:
            return self.data.get("kind", "")
        return self.initial.get("kind", "")

    def _build_detail(self):
        entry = self.details.get(self.chosen_kind())
        if entry is None:
            return None
        form_class, _ = entry
        existing = membership_detail(self.instance, self.details) if self.instance.pk else None
        return form_class(
            self.data if self.is_bound else None,
            instance=existing,
            prefix="detail",
            user=self.user,
        )

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.detail_form is not None:
            valid = self.detail_form.is_valid() and valid
        return valid


class SpecialGroupForm(MembershipForm):
    details = SPECIAL_DETAILS

    class Meta:
        model = SpecialGroup
        fields = ["person", "kind", "sealed", *COMMON_FIELDS]
        widgets = COMMON_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sealed"].help_text = "未成年人犯罪记录依法封存后，仅显示“已封存”"


class VulnerableGroupForm(MembershipForm):
    details = VULNERABLE_DETAILS

    class Meta:
        model = VulnerableGroup
        fields = [
            "person",
            "kind",
            "living_alone",
            "guardian_name",
            "guardian_phone",
            "guardian_relation",
            *COMMON_FIELDS,
        ]
        widgets = COMMON_WIDGETS


class KeyPersonForm(MembershipForm):
    class Meta:
        model = KeyPerson
        fields = ["person", "type", "control_level", "reason", *COMMON_FIELDS]
        widgets = {**COMMON_WIDGETS, "reason": forms.Textarea(attrs=TEXTAREA)}


class AtRiskYouthForm(MembershipForm):
    class Meta:
        model = AtRiskYouth
        fields = [
            "person",
            "type",
            "family_situation",
            "guardian_name",
            "guardian_relation",
            "guardian_phone",
            "guardian_address",
            "offended",
            "offence_detail",
            "help_measures",
            *COMMON_FIELDS,
        ]
        widgets = {
            **COMMON_WIDGETS,
            "offence_detail": forms.Textarea(attrs=TEXTAREA),
            "help_measures": forms.Textarea(attrs=TEXTAREA),
        }


class SubsidyForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Subsidy
        fields = ["kind", "monthly_amount", "starts_on", "ends_on"]
        widgets = {"starts_on": forms.DateInput(attrs=DATE), "ends_on": forms.DateInput(attrs=DATE)}


# --- care records ------------------------------------------------------------------------------


def open_categories(person: Person, user) -> list[tuple[str, str]]:
    """The categories a person is currently managed in, as the user may know them."""
    keys: list[str] = []
    if user is not None and user.has_perm("people.view_specialgroup"):
        keys += person.special_groups.filter(ended_on__isnull=True).values_list("kind", flat=True)
    keys += person.vulnerable_groups.filter(ended_on__isnull=True).values_list("kind", flat=True)
    if person.key_person.filter(ended_on__isnull=True).exists():
        keys.append(Category.KEY_PERSON.value)
    if person.at_risk_youth.filter(ended_on__isnull=True).exists():
        keys.append(Category.AT_RISK_YOUTH.value)
    return [(c.value, c.label) for c in Category if c.value in keys]


class CareRecordForm(ScopedModelForm):
    category = forms.ChoiceField(label="人员类别", choices=())

    class Meta:
        model = CareRecord
        fields = [
            "person",
            "category",
            "date",
            "helper",
            "measures",
            "result",
            "next_date",
            "place",
            "lng",
            "lat",
        ]
        widgets = {
            "date": forms.DateInput(attrs=DATE),
            "next_date": forms.DateInput(attrs=DATE),
            "measures": forms.Textarea(attrs=TEXTAREA),
            "result": forms.Textarea(attrs=TEXTAREA),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].label = "人员"
        self.fields["person"].widget = PersonPicker()
        person_qs = self.fields["person"].queryset.only("pk", "name", "region_code")
        person = None
        if self.instance.pk:
            self.fields["person"].disabled = True
            person_qs = Person.objects.filter(pk=self.instance.person_id)
            person = self.instance.person
        else:
            chosen = self.data.get("person") if self.is_bound else self.initial.get("person")
            if chosen and str(chosen).isdigit():
                person_qs = person_qs.filter(pk=chosen)
                person = person_qs.first()
        self.fields["person"].queryset = person_qs
        if person is not None:
            choices = open_categories(person, self.user)
            if self.instance.pk and self.instance.category not in dict(choices):
                # A record keeps its category after the membership has ended.
                choices.append((self.instance.category, self.instance.get_category_display()))
            self.fields["category"].choices = [("", "---------"), *choices]
            if len(choices) == 1:
                self.fields["category"].initial = choices[0][0]
            if not choices:
                self.fields["category"].help_text = "该人员当前不在任何类别中列管"
        else:
            allowed = [
                (c.value, c.label)
                for c in Category
                if c not in SPECIAL_GROUP_KINDS
                or (self.user and self.user.has_perm("people.view_specialgroup"))
            ]
            self.fields["category"].choices = [("", "---------"), *allowed]
            self.fields["category"].help_text = "须为该人员当前列管的类别"
        for name in ("lng", "lat"):
            self.fields[name].widget.attrs["step"] = "any"

    def clean(self):
        data = super().clean()
        person, category = data.get("person"), data.get("category")
        if (
            person is not None
            and category
            and not self.instance.pk
            and category not in dict(open_categories(person, self.user))
        ):
            self.add_error("category", "该人员当前不在此类别中列管")
        return data


# --- custodian assignments ---------------------------------------------------------------------


class CustodianAssignmentForm(ScopedModelForm):
    class Meta:
        model = CustodianAssignment
        fields = ["category", "region", "department"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].label = "适用区域"
        self.fields["region"].help_text = "对该区域及其下级区域生效，下级区域的设置优先"
        # Responsibility is set per level of government, never per grid.
        use_picker(self.fields["region"], *GOVERNMENT_LEVELS)
        self.fields["department"].queryset = custodian_departments(self.user)


# --- one-stop requests -------------------------------------------------------------------------


class OneStopForm(StyledFormMixin, forms.Form):
    category = CategoryChoiceField(queryset=minor_categories(), label="诉求类别（事部件小类）")
    description = forms.CharField(label="诉求描述", widget=forms.Textarea(attrs={"rows": 4}))
