"""Forms of the person pages: the person with the detail of their residence type, the reason
asked before plaintext is shown, and the move to another house."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from citygrid.core import records
from citygrid.core.fields import DictField
from citygrid.core.forms import ScopedModelForm, SensitiveInputsMixin, StyledFormMixin
from citygrid.housing.models import House
from citygrid.housing.widgets import HousePicker
from citygrid.people.choices import Relation, ResidenceType
from citygrid.people.models import (
    FloatingDetail,
    LeftBehindDetail,
    OverseasDetail,
    Person,
    RegisteredDetail,
    Residency,
)
from citygrid.regions.choices import RegionLevel
from citygrid.regions.widgets import use_picker

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OUT_OF_SCOPE_DUPLICATE = "该证件号码已在其他辖区登记，请联系对方办理迁移"


class PersonForm(SensitiveInputsMixin, ScopedModelForm):
    left_behind = forms.BooleanField(label="留守人员", required=False)

    class Meta:
        model = Person
        fields = [
            "region",
            "residence_type",
            "status",
            "id_type",
            "id_number",
            "name",
            "former_name",
            "sex",
            "birth_date",
            "ethnicity",
            "nationality",
            "native_place",
            "household_place",
            "household_address",
            "current_address",
            "marital_status",
            "political_status",
            "education",
            "religion",
            "occupation_category",
            "occupation",
            "workplace",
            "phone",
            "note",
        ]
        widgets = {"birth_date": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        region.label = "所属网格"
        region.help_text = "人员归属到现住地所在网格（暂不明确时可归属到社区）"
        use_picker(region, RegionLevel.GRID, RegionLevel.COMMUNITY)
        self.fields["sex"].help_text = "居民身份证自动识别"
        self.fields["birth_date"].help_text = "居民身份证自动识别"
        self.fields["left_behind"].help_text = "勾选后填写留守人员信息"
        if self.instance.pk:
            self.initial["left_behind"] = LeftBehindDetail.objects.filter(
                person=self.instance
            ).exists()
        order = [n for n in self.fields if n != "left_behind"]
        order.insert(order.index("residence_type") + 1, "left_behind")
        self.order_fields(order)

    def _post_clean(self):
        super()._post_clean()
        errors = self._errors.get("id_number") if self._errors else None
        if not errors:
            return
        for i, error in enumerate(errors.data):
            if isinstance(error, ValidationError) and error.code == "duplicate":
                errors.data[i] = ValidationError(self.duplicate_message(error.params["pk"]))

    def duplicate_message(self, pk: int) -> str:
        """A link to the existing record if the user may see it; else no name at all."""
        existing = (
            Person.objects.restrict(self.user, "view")
            .select_related("region")
            .filter(pk=pk)
            .first()
            if self.user is not None
            else None
        )
        if existing is None:
            return OUT_OF_SCOPE_DUPLICATE
        return format_html(
            '该证件号码已登记：<a href="{}">{}</a>（{}），请勿重复登记',
            existing.get_absolute_url(),
            existing.name,
            existing.region.name,
        )


class PartForm(SensitiveInputsMixin, StyledFormMixin, forms.ModelForm):
    pass


class RegisteredDetailForm(PartForm):
    class Meta:
        model = RegisteredDetail
        fields = ["household_match", "household_number", "head_name", "relation_to_head"]


class FloatingDetailForm(PartForm):
    class Meta:
        model = FloatingDetail
        fields = [
            "direction",
            "reason",
            "registered_on",
            "permit_type",
            "permit_number",
            "permit_expiry",
            "dwelling_type",
            "destination",
            "key_attention",
        ]
        widgets = {"registered_on": DATE, "permit_expiry": DATE}


class OverseasDetailForm(PartForm):
    class Meta:
        model = OverseasDetail
        fields = [
            "foreign_surname",
            "foreign_given_name",
            "document_expiry",
            "purpose",
            "arrival_date",
            "planned_departure",
        ]
        widgets = {"document_expiry": DATE, "arrival_date": DATE, "planned_departure": DATE}


class LeftBehindDetailForm(PartForm):
    class Meta:
        model = LeftBehindDetail
        fields = [
            "kind",
            "health",
            "annual_income",
            "family_member_name",
            "family_member_relation",
            "family_member_phone",
            "family_member_workplace",
            "family_income",
            "difficulties",
        ]
        widgets = {"difficulties": forms.Textarea(attrs={"rows": 2})}


# Prefix (and reverse accessor on Person) -> (detail form, residence type it belongs to).
DETAIL_FORMS = {
    "registered": (RegisteredDetailForm, ResidenceType.REGISTERED),
    "floating": (FloatingDetailForm, ResidenceType.FLOATING),
    "overseas": (OverseasDetailForm, ResidenceType.OVERSEAS),
    "left_behind": (LeftBehindDetailForm, None),
}


class PersonDetails:
    """The residence-type detail forms of one person, validated and saved with the person:
    only the chosen type's detail (and the left-behind detail when ticked) is kept."""

    def __init__(self, person: Person, data=None):
        self.existing = {}
        self.forms = {}
        for prefix, (form_class, _) in DETAIL_FORMS.items():
            instance = None
            if person.pk:
                instance = form_class._meta.model.objects.filter(person=person).first()
            if instance is not None:
                self.existing[prefix] = instance
            self.forms[prefix] = form_class(data, instance=instance, prefix=prefix)
        self.titles = {
            prefix: form_class._meta.model._meta.verbose_name
            for prefix, (form_class, _) in DETAIL_FORMS.items()
        }

    def chosen(self, residence_type: str | None, left_behind: bool) -> list[str]:
        keys = [p for p, (_, rt) in DETAIL_FORMS.items() if rt and rt == residence_type]
        if left_behind:
            keys.append("left_behind")
        return keys

    def is_valid(self, chosen: list[str]) -> bool:
        return all([self.forms[key].is_valid() for key in chosen])

    def save(self, person: Person, chosen: list[str], *, actor) -> None:
        """Write the details through the one write path; the caller holds the transaction
        that also writes the person."""
        for prefix, form in self.forms.items():
            if prefix in chosen:
                detail = form.save(commit=False)
                detail.person = person
                records.save_record(detail, actor=actor)
            elif prefix in self.existing:
                # Switching type removes the detail that no longer applies.
                records.delete_record(self.existing[prefix], actor=actor)

    def sections(self) -> list[tuple[str, str, forms.Form]]:
        return [(prefix, self.titles[prefix], form) for prefix, form in self.forms.items()]


class RevealForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label="事由",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：核实身份、入户走访联系"}),
    )


class LookupForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label="证件号码或手机号码", max_length=30)

    def clean_number(self) -> dict:
        from citygrid.people.filtersets import exact_identifier_q

        exact = exact_identifier_q(self.cleaned_data["number"].strip())
        if exact is None:
            raise ValidationError("请输入完整的18位（或15位）证件号码，或11位手机号码")
        return exact


class MoveForm(StyledFormMixin, forms.Form):
    """Where a person moves to: a house picked by estate, building and door, address or code
    (`housing/widgets.py`), only inside the user's scope."""

    house = forms.ModelChoiceField(
        label="房屋",
        queryset=House.objects.none(),
        help_text="输入小区名、楼栋、门牌号（用空格分开），或地址开头、房屋编码",
        error_messages={
            "required": "请选择房屋",
            "invalid_choice": "未找到该房屋，或该房屋不在您的管辖范围内",
        },
    )
    relation = forms.ChoiceField(
        label="人房关系", choices=Relation.choices, initial=Relation.HOUSEHOLD_MEMBER
    )
    relation_to_head = DictField("与户主关系", dictionary="relation_to_head").formfield()
    started_on = forms.DateField(label="入住日期", widget=DATE, initial=date.today)
    rental_no = forms.CharField(
        label="出租屋编号",
        max_length=22,
        required=False,
        help_text="租客可填写；留空时自动关联该房屋在租的出租登记",
    )
    confirm_owner = forms.BooleanField(
        label="确认该房屋为共有产权，仍登记为产权人", required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user=None, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.person = person
        self.owner_warning = ""
        house = self.fields["house"]
        house.widget = HousePicker()
        house.widget.is_required = True
        # After the widget: setting the queryset hands the widget its choices.
        house.queryset = House.objects.in_scope(user).select_related("region")

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        if started_on > date.today():
            raise ValidationError("入住日期不能晚于今天")
        return started_on

    def clean(self):
        cleaned = super().clean()
        rental_no = (cleaned.get("rental_no") or "").strip()
        house = cleaned.get("house")
        cleaned["rental"] = None
        if rental_no and house is not None:
            from citygrid.housing.models import Rental

            rental = Rental.objects.filter(rental_no=rental_no, house=house).first()
            if rental is None:
                self.add_error("rental_no", "该出租屋编号不属于所选房屋")
            cleaned["rental"] = rental
        if house is not None and cleaned.get("relation") == Relation.OWNER:
            self._check_second_owner(house, cleaned.get("confirm_owner"))
        return cleaned

    def _check_second_owner(self, house: House, confirmed: bool) -> None:
        """A house usually has one owner: a second one is more often a wrong house than a
        shared title, so the form asks once (co-owners are real, so it never refuses)."""
        owners = Residency.objects.filter(
            house=house, relation=Relation.OWNER, ended_on__isnull=True
        )
        if self.person is not None:
            owners = owners.exclude(person=self.person)
        count = owners.count()
        if not count or confirmed:
            return
        self.owner_warning = (
            f"该房屋已登记产权人 {count} 人。如确为共有产权，请勾选“确认该房屋为共有产权，"
            "仍登记为产权人”后再办理；否则请核对所选房屋或人房关系。"
        )
        confirm = self.fields["confirm_owner"]
        confirm.widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
        self.add_error("confirm_owner", "请确认共有产权，或更改所选房屋、人房关系")
