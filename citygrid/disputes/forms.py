"""The registration form (登记受理) and its parties, and the signed-copy upload."""

from django import forms
from django.core.validators import FileExtensionValidator

from citygrid.core import dictionaries
from citygrid.core.forms import StyledFormMixin
from citygrid.disputes.choices import DisputeLevel, PartyKind, PartySide
from citygrid.disputes.intake import Party, Registration
from citygrid.disputes.models import CATEGORY_DICTIONARY
from citygrid.regions.geo.index import load_index
from citygrid.regions.models import Region
from citygrid.regions.widgets import use_picker

# Where a dispute is registered: the grid it happened in, or the community when unsure.
PLACE_LEVELS = ("grid", "community", "village_group")


class RegistrationForm(StyledFormMixin, forms.Form):
    region = forms.ModelChoiceField(
        queryset=Region.objects.all(), label="发生网格（社区）", help_text="纠纷发生地所在网格"
    )
    category = forms.ChoiceField(label="纠纷类别")
    title = forms.CharField(label="纠纷名称", max_length=100)
    description = forms.CharField(label="简要情况", widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label="发生地点", max_length=200, required=False)
    # Set by a click on the map (`case_picker.js`): optional, checked against the place picked.
    lng = forms.FloatField(
        label="经度", required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    lat = forms.FloatField(
        label="纬度", required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    people_count = forms.IntegerField(label="涉及人数", min_value=1, max_value=100000, initial=2)
    amount = forms.DecimalField(
        label="涉及金额（元）", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    level = forms.ChoiceField(label="纠纷等级", choices=DisputeLevel.choices)
    risk_petition = forms.BooleanField(label="可能越级上访", required=False)
    risk_mass_incident = forms.BooleanField(label="可能引发群体性事件", required=False)
    risk_criminal = forms.BooleanField(label="可能民转刑", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", "请选择"),
            *dictionaries.choices(CATEGORY_DICTIONARY),
        ]
        region = self.fields["region"]
        region.queryset = Region.objects.in_scope(user)
        use_picker(region, *PLACE_LEVELS)

    def clean(self):
        data = super().clean()
        lng, lat, region = data.get("lng"), data.get("lat"), data.get("region")
        if (lng is None) != (lat is None):
            raise forms.ValidationError("经度和纬度须同时填写")
        if lng is not None and region is not None:
            # The point clicked and the place picked must agree: the grid found at the point lies
            # in the region registered (a slip of the finger would file it in the wrong grid).
            # The phone app sends where the worker stands instead, which may be elsewhere.
            code = (
                Region.objects.filter(pk=load_index().locate(lng, lat))
                .values_list("code", flat=True)
                .first()
            )
            if code is None or not code.startswith(region.code):
                raise forms.ValidationError("地图上标注的位置不在所选网格（社区）内")
        return data

    def registration(self, parties: list[Party]) -> Registration:
        data = self.cleaned_data
        return Registration(
            parties=parties, **{name: data[name] for name in self.fields if name in data}
        )


class PartyForm(StyledFormMixin, forms.Form):
    side = forms.ChoiceField(label="当事人类型", choices=PartySide.choices)
    kind = forms.ChoiceField(label="个人/组织", choices=PartyKind.choices)
    name = forms.CharField(label="姓名/名称", max_length=100, required=False)
    id_number = forms.CharField(label="证件号码/统一社会信用代码", max_length=30, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)

    def party(self) -> Party | None:
        data = self.cleaned_data
        if not data.get("name", "").strip():
            return None
        return Party(**{name: data[name] for name in self.fields})


# Two rows to start (an applicant and a respondent); the page adds more.
PartyFormSet = forms.formset_factory(PartyForm, extra=0, min_num=1, max_num=50, validate_max=True)
INITIAL_PARTIES = [{"side": PartySide.APPLICANT}, {"side": PartySide.RESPONDENT}]


class SignedCopyForm(StyledFormMixin, forms.Form):
    signed_copy = forms.FileField(
        label="签字盖章件（PDF 或图片）",
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])],
    )
