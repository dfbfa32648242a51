from django import forms

from citygrid.core.forms import ScopedModelForm, SensitiveInputsMixin, StyledFormMixin
from citygrid.housing import inputs
from citygrid.regions.widgets import use_picker
from citygrid.units.models import Unit, UnitLicence
from citygrid.units.models.units import PLACE_LEVELS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitForm(SensitiveInputsMixin, ScopedModelForm):
    normalizers = {
        "legal_representative_phone": inputs.mobile,
        "contact_phone": inputs.mobile,
    }

    class Meta:
        model = Unit
        fields = [
            "name",
            "unit_class",
            "uscc",
            "status",
            "lng",
            "lat",
            "region",
            "address",
            "legal_representative",
            "legal_representative_phone",
            "contact_name",
            "contact_phone",
            "staff_count",
            "note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        region.required = False
        region.label = "所属网格"
        region.help_text = "按经纬度自动确定所在网格；位置不在任何网格内时须选择"
        use_picker(region, *PLACE_LEVELS)
        self.fields["uscc"].widget.attrs["autocomplete"] = "off"


class UnitLicenceForm(StyledFormMixin, forms.ModelForm):
    """A licence, edited on its unit's page (the unit is given by the page, never the form)."""

    class Meta:
        model = UnitLicence
        fields = ["kind", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DATE, "expires_on": DATE}
