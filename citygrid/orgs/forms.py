from django import forms

from citygrid.accounts.models import Role
from citygrid.accounts.widgets import use_account_picker
from citygrid.core.forms import ScopedModelForm, SensitiveInputsMixin, StyledFormMixin
from citygrid.orgs import actions
from citygrid.orgs.models import OrgUnit, Staff, StaffRecord
from citygrid.orgs.widgets import use_unit_picker
from citygrid.regions.models import Region
from citygrid.regions.widgets import use_picker


class OrgUnitForm(ScopedModelForm):
    class Meta:
        model = OrgUnit
        fields = ["parent", "kind", "code", "name", "region", "duties", "phone", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_picker(self.fields["region"])
        use_unit_picker(self.fields["parent"])
        if self.instance.mirrors_id or self.instance.department_id:
            # Mirrors follow their region or department: only duties and contact are theirs.
            for name in ("parent", "kind", "code", "name", "region"):
                self.fields[name].disabled = True


class StaffForm(SensitiveInputsMixin, ScopedModelForm):
    class Meta:
        model = Staff
        fields = [
            "unit",
            "name",
            "post",
            "post_duties",
            "phone",
            "gender",
            "birth_date",
            "education",
            "hired_on",
            "user",
            "active",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "hired_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_unit_picker(self.fields["unit"])
        self.fields["user"].queryset = self.fields["user"].queryset.filter(is_active=True)
        use_account_picker(self.fields["user"], "orgs:account_search")
        if self.instance.pk:
            # Moving a member is its own action (`actions.move_staff`), checked at both ends.
            self.fields["unit"].disabled = True
        if self.instance.source != "manual":
            for name in ("name", "user"):
                self.fields[name].disabled = True


class MoveStaffForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label="调往单位", queryset=OrgUnit.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.in_scope(user)
        use_unit_picker(self.fields["unit"])


class GrantForm(StyledFormMixin, forms.Form):
    """Roles are offered only among those the actor may grant; regions only in their scope.
    The action re-checks both: a hand-made POST is refused with the same message."""

    roles = forms.ModelMultipleChoiceField(
        label="角色",
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope_regions = forms.ModelMultipleChoiceField(
        label="管辖区域", queryset=Region.objects.all(), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.grantable = {r.pk for r in actions.grantable_roles(user)}
        self.fields["roles"].widget.attrs["class"] = "form-check-input"
        self.fields["scope_regions"].help_text = "只能选择您管辖范围内的区域"
        self.fields["scope_regions"].queryset = Region.objects.order_by("code")
        use_picker(self.fields["scope_regions"])


class StaffRecordForm(ScopedModelForm):
    class Meta:
        model = StaffRecord
        fields = ["kind", "date", "title", "detail", "attachment"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
