from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from citygrid.core import validators
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ChangeLoggedModel, ScopedModel
from citygrid.core.querysets import RestrictedQuerySet
from citygrid.neworgs.choices import BranchKind, OrganisationKind
from citygrid.regions.choices import RegionLevel

# Filed at community level or below (分级填报): a grid or a village group is fine too.
FILING_LEVELS = (RegionLevel.COMMUNITY, RegionLevel.GRID, RegionLevel.VILLAGE_GROUP)


# Held by the role of organisation heads (两新组织负责人): its users see and edit the organisations
# listing them in `accounts`, and nothing else of this app, whatever their scope regions cover.
OWN_ORGANISATION_ONLY = "neworgs.own_organisation_only"


def bound_to_own(user) -> bool:
    """Whether `user` acts here only as an account of their own organisation(s)."""
    return (
        user is not None
        and user.is_authenticated
        and not user.is_superuser
        and user.has_perm(OWN_ORGANISATION_ONLY)
    )


def own_organisations_queryset(path: str):
    """The queryset class of a record type of this app: `in_scope` (and so `restrict`, the
    pickers and the write path's scope check) narrows an organisation account to the records of
    its own organisation; `path` leads from the record to `NewOrganisation` ("" for itself)."""
    accounts = f"{path}__accounts" if path else "accounts"

    class OwnOrganisationQuerySet(RestrictedQuerySet):
        def in_scope(self, user):
            qs = super().in_scope(user)
            if bound_to_own(user):
                qs = qs.filter(**{accounts: user}).distinct()
            return qs

    return OwnOrganisationQuerySet


class NewOrganisation(ScopedModel):
    """A 两新组织: a non-public enterprise or a social organisation, filed by the community it
    sits in. One record type for both halves: they share every field, and the monthly report
    counts them side by side by `kind`."""

    name = models.CharField("组织名称", max_length=100)
    kind = models.CharField("组织类型", max_length=30, choices=OrganisationKind.choices)
    uscc = models.CharField(
        "统一社会信用代码",
        max_length=18,
        blank=True,
        validators=[validators.validate_credit_code],
        help_text="18位，按 GB 32100 校验",
    )
    industry = models.CharField("所属行业", max_length=50, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    head_name = EncryptedCharField("负责人", max_length=50)
    head_phone = EncryptedCharField(
        "负责人电话", blank=True, validators=[validators.validate_mobile]
    )
    head_phone_index = models.CharField(max_length=64, editable=False, db_index=True)
    full_time_staff = models.PositiveIntegerField("专职工作人员数", default=0)
    employees = models.PositiveIntegerField("从业人员数", default=0)
    established_on = models.DateField("成立日期", null=True, blank=True)
    closed_on = models.DateField("注销（撤销）日期", null=True, blank=True)
    # Accounts of the organisation's head and staff: a narrow role sees this organisation only.
    accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="组织账号",
        blank=True,
        related_name="new_organisations",
    )
    note = models.TextField("备注", blank=True)

    objects = models.Manager.from_queryset(own_organisations_queryset(""))()

    # The head is a private person: name and phone sealed, masked unless the role may see them.
    sensitive_fields = {"head_name": "name", "head_phone": "mobile"}
    changelog_exclude = ("created", "last_updated", "head_phone_index")

    class Meta:
        verbose_name = "两新组织"
        verbose_name_plural = "两新组织"
        ordering = ["region_code", "name"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        permissions = [("own_organisation_only", "仅限本组织（两新组织负责人账号）")]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~models.Q(uscc=""),
                name="neworganisation_unique_uscc",
                violation_error_message="已有相同统一社会信用代码的组织",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values),
                name="neworganisation_kind_valid",
                violation_error_message="组织类型无效",
            ),
        ]
        indexes = [models.Index(fields=["kind", "region_code"], name="neworg_kind_region_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("neworgs:neworganisation", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        self.uscc = (self.uscc or "").strip().upper()
        if self.region_id and self.region.level not in FILING_LEVELS:
            errors["region"] = "两新组织应归属到社区（村）、村小组或网格"
        if self.established_on and self.closed_on and self.closed_on < self.established_on:
            errors["closed_on"] = "注销日期不能早于成立日期"
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.closed_on is None


class OrgBranch(ChangeLoggedModel):
    """A body inside a new organisation: its 党组织, 工会, 共青团, 妇联 or 综治工作室 (one of
    each)."""

    organisation = models.ForeignKey(
        NewOrganisation,
        verbose_name="所属组织",
        on_delete=models.CASCADE,
        related_name="branches",
    )
    kind = models.CharField("类别", max_length=30, choices=BranchKind.choices)
    established_on = models.DateField("成立日期", null=True, blank=True)
    head_name = models.CharField("负责人", max_length=50, blank=True)
    members = models.PositiveIntegerField("成员人数", default=0)

    objects = models.Manager.from_queryset(own_organisations_queryset("organisation"))()

    scope_field = "organisation__region_code"
    changelog_permission = "neworgs.view_neworganisation"

    class Meta:
        verbose_name = "组织建设"
        verbose_name_plural = "组织建设"
        ordering = ["organisation", "kind"]
        default_permissions = ("view", "add", "change", "delete")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"],
                name="orgbranch_one_of_each_kind",
                violation_error_message="该组织已登记此类组织建设",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=BranchKind.values),
                name="orgbranch_kind_valid",
                violation_error_message="类别无效",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}·{self.get_kind_display()}"
