from django import forms

from citygrid.accounts.models import User
from citygrid.core.forms import ScopedModelForm, SensitiveInputsMixin
from citygrid.core.validators import normalize_mobile
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord
from citygrid.neworgs.models.organisations import FILING_LEVELS, bound_to_own

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def organisation_accounts():
    """Users a new organisation can list as its accounts: those whose role holds the narrow
    organisation-only permission (any other account would see more than its organisation)."""
    return (
        User.objects.filter(
            is_active=True,
            roles__permissions__content_type__app_label="neworgs",
            roles__permissions__codename="own_organisation_only",
        )
        .distinct()
        .order_by("username")
    )


def _mobile(value: str) -> str:
    try:
        return normalize_mobile(value)
    except ValueError as exc:
        raise forms.ValidationError("手机号码格式不正确") from exc


class NewOrganisationForm(SensitiveInputsMixin, ScopedModelForm):
    normalizers = {"head_phone": _mobile}

    class Meta:
        model = NewOrganisation
        fields = [
            "region",
            "name",
            "kind",
            "uscc",
            "industry",
            "address",
            "lng",
            "lat",
            "head_name",
            "head_phone",
            "full_time_staff",
            "employees",
            "established_on",
            "closed_on",
            "accounts",
            "note",
        ]
        widgets = {"established_on": DATE, "closed_on": DATE, "note": forms.Textarea({"rows": 3})}

    def __init__(self, *args, **kwargs):
        from citygrid.regions.widgets import use_picker

        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        region.label = "所属社区/网格"
        use_picker(region, *FILING_LEVELS)
        accounts = self.fields["accounts"]
        accounts.queryset = organisation_accounts()
        accounts.help_text = "仅可选择“两新组织负责人”角色的账号"
        if bound_to_own(self.user):
            # An organisation's own account keeps its records, not where it is filed or who
            # else may act for it.
            for name in ("region", "accounts", "kind", "closed_on"):
                self.fields[name].disabled = True
            # Nor does it learn the other organisations' accounts from the options.
            accounts.queryset = (
                self.instance.accounts.all() if self.instance.pk else User.objects.none()
            )


class PartForm(ScopedModelForm):
    """A part of an organisation, added from the organisation's page (`?organisation=<id>`).

    The organisation comes with the request: a select of every organisation in scope would
    read thousands of rows, and the part belongs to the page it was added from anyway."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        if self.instance.pk:
            chosen = self.instance.organisation_id
            field.disabled = True
        else:
            source = self.data if self.is_bound else self.initial
            chosen = str(source.get("organisation") or "")
        if not (chosen and str(chosen).isdigit() and len(str(chosen)) <= 18):
            chosen = None
            field.help_text = "请在两新组织详情页的相应栏目中点击“新增”"
        field.queryset = NewOrganisation.objects.in_scope(self.user).filter(pk=chosen)
        field.empty_label = None if chosen else "（未指定组织）"


class OrgBranchForm(PartForm):
    class Meta:
        model = OrgBranch
        fields = ["organisation", "kind", "established_on", "head_name", "members"]
        widgets = {"established_on": DATE}


class RegulationForm(PartForm):
    class Meta:
        model = Regulation
        fields = ["organisation", "title", "adopted_on", "document"]
        widgets = {"adopted_on": DATE}


class WorkRecordForm(PartForm):
    class Meta:
        model = WorkRecord
        fields = ["organisation", "date", "content", "attachment"]
        widgets = {"date": DATE, "content": forms.Textarea({"rows": 4})}
