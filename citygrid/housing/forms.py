from django import forms
from django.core.exceptions import ValidationError

from citygrid.core import dictionaries
from citygrid.core.forms import ScopedModelForm, SensitiveInputsMixin, StyledFormMixin
from citygrid.housing import inputs, numbering
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental
from citygrid.regions.choices import RegionLevel
from citygrid.regions.widgets import use_picker

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EstateForm(ScopedModelForm):
    class Meta:
        model = Estate
        fields = [
            "region",
            "name",
            "address",
            "property_company",
            "property_phone",
            "lng",
            "lat",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].label = "所属社区/网格"
        use_picker(self.fields["region"], RegionLevel.COMMUNITY, RegionLevel.GRID)


class BuildingForm(ScopedModelForm):
    class Meta:
        model = Building
        fields = [
            "estate",
            "region",
            "name",
            "address",
            "use",
            "floors",
            "underground_floors",
            "entrances",
            "houses_per_floor",
            "floor_area",
            "built_year",
            "lng",
            "lat",
            "head_name",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].label = "所属网格"
        use_picker(self.fields["region"], RegionLevel.GRID)


class HouseForm(SensitiveInputsMixin, ScopedModelForm):
    normalizers = {"owner_id_number": inputs.id_number, "owner_phone": inputs.mobile}

    class Meta:
        model = House
        fields = [
            "building",
            "region",
            "entrance",
            "floor",
            "number",
            "address",
            "area",
            "use",
            "ownership",
            "occupancy",
            "owner_name",
            "owner_id_number",
            "owner_phone",
            "lng",
            "lat",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        region.required = False
        region.label = "所属网格"
        region.help_text = "选择楼栋时按楼栋所在网格，无需填写"
        use_picker(region, RegionLevel.GRID)
        self.fields["building"].queryset = self.fields["building"].queryset.select_related("estate")
        self.fields["building"].help_text = "平房、院落、门店等不在楼栋中的房屋留空，填写网格与地址"

    def clean(self):
        cleaned = super().clean()
        building = cleaned.get("building")
        if building is not None:
            # Its grid follows the building: a house never sits in another grid than its stairs.
            cleaned["region"] = building.region
        elif not cleaned.get("region") and "region" not in self.errors:
            self.add_error("region", "不在楼栋中的房屋须选择所属网格")
        return cleaned


class RentalForm(SensitiveInputsMixin, ScopedModelForm):
    normalizers = {"landlord_id_number": inputs.id_number, "landlord_phone": inputs.mobile}

    class Meta:
        model = Rental
        fields = [
            "house",
            "use",
            "landlord_name",
            "landlord_id_number",
            "landlord_phone",
            "rented_area",
            "rooms",
            "start_date",
            "end_date",
            "note",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].queryset = self.fields["house"].queryset.select_related(
            "building__estate"
        )
        if self.instance.pk:
            # The rental number belongs to this house for good.
            self.fields["house"].disabled = True


class HazardCheckForm(ScopedModelForm):
    class Meta:
        model = HazardCheck
        fields = ["house", "checked_on", "inspector", "hazard", "result", "rectify_by", "findings"]
        widgets = {
            "checked_on": DATE,
            "rectify_by": DATE,
            "findings": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].queryset = self.fields["house"].queryset.select_related(
            "building__estate"
        )
        if not self.instance.pk and self.user is not None and not self.initial.get("inspector"):
            self.initial["inspector"] = self.user.get_full_name() or self.user.get_username()


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label="驳回原因", max_length=500, widget=forms.Textarea({"rows": 2}))


class EndForm(StyledFormMixin, forms.Form):
    on = forms.DateField(label="退租日期", widget=DATE)


class DeclarationForm(StyledFormMixin, forms.Form):
    """The landlord's online declaration (出租屋网上申报); no login, so every field is checked."""

    house_code = forms.CharField(
        label="房屋编码", max_length=30, help_text="门牌上印的 21 位房屋编码"
    )
    landlord_name = forms.CharField(label="房东姓名", max_length=50)
    landlord_id_number = forms.CharField(label="房东身份证号码", max_length=18)
    landlord_phone = forms.CharField(label="手机号码", max_length=20)
    use = forms.ChoiceField(label="出租用途", choices=lambda: dictionaries.choices("rental_use"))
    rooms = forms.IntegerField(label="出租间数", min_value=1, max_value=999, initial=1)
    rented_area = forms.DecimalField(
        label="出租面积（㎡）", max_digits=10, decimal_places=2, min_value=0, required=False
    )
    start_date = forms.DateField(label="起租日期", widget=DATE)
    end_date = forms.DateField(label="到期日期", widget=DATE, required=False)
    declared_tenants = forms.CharField(
        label="租客信息",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一人：姓名 证件号码 电话，以空格分隔；电话可不填",
    )

    def clean_house_code(self):
        code = self.cleaned_data["house_code"].strip().upper()
        # One answer for a malformed and an unknown code: the form must not become a way to
        # probe which houses exist.
        house = House.objects.filter(code=code).first() if numbering.is_valid(code) else None
        if house is None:
            raise ValidationError("房屋编码无效或不存在")
        self.house = house
        return code

    def clean_landlord_id_number(self):
        return inputs.id_number(self.cleaned_data["landlord_id_number"])

    def clean_landlord_phone(self):
        return inputs.mobile(self.cleaned_data["landlord_phone"])

    def clean_declared_tenants(self):
        return inputs.tenant_lines(self.cleaned_data["declared_tenants"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "到期日期不能早于起租日期")
        return cleaned
