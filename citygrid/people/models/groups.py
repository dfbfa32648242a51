"""Category memberships: each a row of its own (standards §12.6), so labels can be hidden from
general lists, scoped by role and grid, and carry their own custodian and dates.

Kind-specific items live in one-to-one detail models, not in a bag of nullable columns.
"""

from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core.fields import DictField, EncryptedCharField
from citygrid.core.models import ChangeLoggedModel, ScopedModel
from citygrid.core.querysets import RestrictedQuerySet
from citygrid.people.choices import (
    SPECIAL_GROUP_KINDS,
    VULNERABLE_GROUP_KINDS,
    Category,
    DisabilityGrade,
    RiskLevel,
)
from citygrid.people.models.care import custodian_for

GUARDIAN = {"guardian_name": "name", "guardian_phone": "mobile"}


class Membership(ScopedModel):
    """A person's membership of a managed category, in the person's grid."""

    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="+"
    )
    custodian_department = models.ForeignKey(
        "cases.Department",
        verbose_name="归口部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="留空则按归口设置自动确定",
    )
    helper_name = EncryptedCharField("帮扶（帮教）责任人", max_length=50, blank=True)
    helper_phone = EncryptedCharField("责任人电话", max_length=30, blank=True)
    started_on = models.DateField("列管日期")
    ended_on = models.DateField("解除日期", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    # Third parties' names and phones: encrypted, masked on screen and in the change log.
    sensitive_fields = {"helper_name": "name", "helper_phone": "mobile"}

    class Meta:
        abstract = True

    category: str = ""

    def __str__(self) -> str:
        return f"{self.person}（{self.category_label()}）"

    def category_key(self) -> str:
        return getattr(self, "kind", "") or self.category

    def category_label(self) -> str:
        return Category(self.category_key()).label

    @property
    def active(self) -> bool:
        return self.ended_on is None

    def clean(self) -> None:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "解除日期不能早于列管日期"})

    def derive_region(self) -> None:
        if self.person_id:
            self.region = self.person.region

    def derive(self) -> None:
        super().derive()
        if self.custodian_department_id is None and self.region_id:
            # Looked up once per place and category: derive() runs at validation and again
            # at the write, and finding no assignment must not cost a second query.
            category = self.category_key()
            sought = (category, self.region_id)
            if getattr(self, "_custodian_sought", None) != sought:
                self._custodian_sought = sought
                self.custodian_department = custodian_for(category, self.region)


class SpecialGroupQuerySet(RestrictedQuerySet):
    def disclosable(self, user) -> "SpecialGroupQuerySet":
        """Rows that may be tied to a place or a trail: sealed ones only for those who may
        see sealed records (see `people.sealing`)."""
        from citygrid.people.sealing import can_see_sealed

        return self if can_see_sealed(user) else self.exclude(sealed=True)


class SpecialGroup(Membership):
    """特殊人群: released prisoners, community corrections, severe mental disorder, drug users,
    AIDS risk, long-term petitioners. Visible only to roles that hold `view_specialgroup`."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name="人员",
        on_delete=models.CASCADE,
        related_name="special_groups",
    )
    kind = models.CharField(
        "类别", max_length=30, choices=[(k.value, k.label) for k in SPECIAL_GROUP_KINDS]
    )
    # Juvenile criminal records are sealed (Criminal Procedure Law Art. 286).
    sealed = models.BooleanField("未成年人犯罪记录封存", default=False)

    objects = SpecialGroupQuerySet.as_manager()

    @classmethod
    def history_hidden_from(cls, user):
        """A sealed record's history (offence, dates) stays sealed too (`people.sealing`)."""
        from citygrid.people.sealing import can_see_sealed

        return None if can_see_sealed(user) else cls.objects.filter(sealed=True).values("pk")

    class Meta:
        verbose_name = "特殊人群"
        verbose_name_plural = "特殊人群"
        ordering = ["region_code", "kind", "-started_on"]
        default_permissions = ("view", "add", "change", "delete", "export")
        # The map counts a kind's open members in view (`people/geo.py`, counted live).
        indexes = [
            models.Index(
                fields=["kind", "region_code", "person"],
                condition=models.Q(ended_on__isnull=True),
                name="specialgroup_open_kind_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(ended_on__isnull=True),
                name="specialgroup_one_open_per_kind",
                violation_error_message="该人员已在此类特殊人群中列管",
            )
        ]


class VulnerableGroup(Membership):
    """弱势群体: empty-nest or living-alone elders, left-behind children, disabled, low-income."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name="人员",
        on_delete=models.CASCADE,
        related_name="vulnerable_groups",
    )
    kind = models.CharField(
        "类别", max_length=30, choices=[(k.value, k.label) for k in VULNERABLE_GROUP_KINDS]
    )
    living_alone = models.BooleanField("独居", default=False)
    guardian_name = EncryptedCharField("监护人（联系人）姓名", max_length=50, blank=True)
    guardian_phone = EncryptedCharField("监护人（联系人）电话", max_length=30, blank=True)
    guardian_relation = DictField("与本人关系", dictionary="relation_to_head")

    sensitive_fields = {**Membership.sensitive_fields, **GUARDIAN}

    class Meta:
        verbose_name = "弱势群体"
        verbose_name_plural = "弱势群体"
        ordering = ["region_code", "kind", "-started_on"]
        default_permissions = ("view", "add", "change", "delete", "export")
        # The map counts a kind's open members in view (`people/geo.py`, counted live).
        indexes = [
            models.Index(
                fields=["kind", "region_code", "person"],
                condition=models.Q(ended_on__isnull=True),
                name="vulnerablegroup_open_kind_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=models.Q(ended_on__isnull=True),
                name="vulnerablegroup_one_open_per_kind",
                violation_error_message="该人员已在此类弱势群体中登记",
            )
        ]


class KeyPerson(Membership):
    """重点人员: a person under attention, with a type and a control level."""

    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="key_person"
    )
    type = DictField("重点人员类型", dictionary="key_person_type", blank=False)
    control_level = DictField("管控级别", dictionary="control_level", blank=False, default="3")
    reason = models.TextField("列管原因", blank=True)

    category = Category.KEY_PERSON

    class Meta:
        verbose_name = "重点人员"
        verbose_name_plural = "重点人员"
        ordering = ["region_code", "control_level", "-started_on"]
        default_permissions = ("view", "add", "change", "delete", "export")
        # The map counts open members in view (`people/geo.py`, counted live).
        indexes = [
            models.Index(
                fields=["region_code", "person"],
                condition=models.Q(ended_on__isnull=True),
                name="keyperson_open_idx",
            )
        ]


class AtRiskYouth(Membership):
    """重点青少年: type, family, guardian and the helper assigned to them."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name="人员",
        on_delete=models.CASCADE,
        related_name="at_risk_youth",
    )
    type = DictField("人员类型", dictionary="youth_type", blank=False)
    family_situation = DictField("家庭情况", dictionary="family_situation")
    guardian_name = EncryptedCharField("监护人姓名", max_length=50, blank=True)
    guardian_relation = DictField("监护人关系", dictionary="relation_to_head")
    guardian_phone = EncryptedCharField("监护人电话", max_length=30, blank=True)
    guardian_address = models.CharField("监护人住址", max_length=200, blank=True)
    offended = models.BooleanField("是否违法犯罪", default=False)
    offence_detail = models.TextField("违法犯罪情况", blank=True)
    help_measures = models.TextField("帮扶手段", blank=True)

    category = Category.AT_RISK_YOUTH
    sensitive_fields = {**Membership.sensitive_fields, **GUARDIAN}

    class Meta:
        verbose_name = "重点青少年"
        verbose_name_plural = "重点青少年"
        ordering = ["region_code", "-started_on"]
        default_permissions = ("view", "add", "change", "delete", "export")
        # The map counts open members in view (`people/geo.py`, counted live).
        indexes = [
            models.Index(
                fields=["region_code", "person"],
                condition=models.Q(ended_on__isnull=True),
                name="atriskyouth_open_idx",
            )
        ]


class GroupPart(ChangeLoggedModel):
    """Items of one kind of special or vulnerable group, kept with the membership."""

    scope_field = "membership__region_code"
    # Special-group details (offence, diagnosis, drug use) are need-to-know.
    changelog_permission = "people.view_specialgroup"

    class Meta:
        abstract = True
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.membership}（{self._meta.verbose_name}）"

    def get_absolute_url(self) -> str:
        return self.membership.person.get_absolute_url()

    @classmethod
    def history_hidden_from(cls, user):
        """Details of a sealed special-group record: their history is sealed with it."""
        from citygrid.people.sealing import can_see_sealed

        owner = cls._meta.get_field("membership").related_model
        if can_see_sealed(user) or not hasattr(owner, "sealed"):
            return None
        return cls.objects.filter(membership__sealed=True).values("pk")


def _special(related_name: str):
    return models.OneToOneField(
        SpecialGroup, verbose_name="特殊人群", on_delete=models.CASCADE, related_name=related_name
    )


class ReleasedPrisonerDetail(GroupPart):
    """刑满释放人员."""

    membership = _special("released_prisoner")
    recidivist = models.BooleanField("是否累犯", default=False)
    offence = models.CharField("原罪名", max_length=100)
    sentence = models.CharField("原判刑期", max_length=50, blank=True)
    prison = models.CharField("服刑场所", max_length=100, blank=True)
    released_on = models.DateField("释放日期")
    risk = DictField("危险性评估类型", dictionary="release_risk")
    handed_over_on = models.DateField("衔接日期", null=True, blank=True)
    resettled = models.BooleanField("是否已安置", default=False)
    not_resettled_reason = models.CharField("未安置原因", max_length=200, blank=True)
    reoffended = models.BooleanField("是否重新犯罪", default=False)
    reoffence = models.CharField("重新犯罪罪名", max_length=100, blank=True)

    class Meta:
        verbose_name = "刑满释放人员信息"
        verbose_name_plural = "刑满释放人员信息"


class CorrectionsDetail(GroupPart):
    """社区矫正人员."""

    membership = _special("corrections")
    corrections_number = models.CharField("社区矫正人员编号", max_length=50, blank=True)
    kind = DictField("矫正类别", dictionary="corrections_kind", blank=False)
    offence = models.CharField("具体罪名", max_length=100)
    sentence = models.CharField("原判刑期", max_length=50, blank=True)
    starts_on = models.DateField("矫正开始日期")
    ends_on = models.DateField("矫正结束日期")
    lost = models.BooleanField("脱管", default=False)
    missed = models.BooleanField("漏管", default=False)
    group_formed = models.BooleanField("已建立矫正小组", default=False)
    reoffended = models.BooleanField("是否重新犯罪", default=False)

    class Meta:
        verbose_name = "社区矫正人员信息"
        verbose_name_plural = "社区矫正人员信息"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "矫正结束日期不能早于开始日期"})


class MentalDisorderDetail(GroupPart):
    """肇事肇祸等严重精神障碍患者: diagnosis, risk level 0–5, guardian, treatment."""

    membership = _special("mental_disorder")
    diagnosis = DictField("目前诊断类型", dictionary="mental_diagnosis", blank=False)
    risk_level = models.PositiveSmallIntegerField("目前危险性评估等级", choices=RiskLevel.choices)
    first_onset = models.DateField("初次发病日期", null=True, blank=True)
    incidents = models.PositiveSmallIntegerField("肇祸次数", default=0)
    last_incident = models.DateField("上次肇祸日期", null=True, blank=True)
    treatment = DictField("治疗情况", dictionary="treatment_status")
    hospital = models.CharField("治疗医院", max_length=100, blank=True)
    guardian_name = EncryptedCharField("监护人姓名", max_length=50, blank=True)
    guardian_phone = EncryptedCharField("监护人电话", max_length=30, blank=True)
    low_income_allowance = models.BooleanField("是否纳入低保", default=False)

    sensitive_fields = GUARDIAN

    class Meta:
        verbose_name = "严重精神障碍患者信息"
        verbose_name_plural = "严重精神障碍患者信息"

    def clean(self) -> None:
        if self.incidents and not self.last_incident:
            raise ValidationError({"last_incident": "有肇祸史须填写上次肇祸日期"})


class DrugUserDetail(GroupPart):
    """吸毒人员."""

    membership = _special("drug_user")
    first_found = models.DateField("初次发现日期", null=True, blank=True)
    control = DictField("管控情况", dictionary="drug_control", blank=False)
    controller_name = EncryptedCharField("管控人姓名", max_length=50, blank=True)
    controller_phone = EncryptedCharField("管控人电话", max_length=30, blank=True)
    has_record = models.BooleanField("是否有犯罪史", default=False)
    cause = models.CharField("吸毒原因", max_length=200, blank=True)

    sensitive_fields = {"controller_name": "name", "controller_phone": "mobile"}

    class Meta:
        verbose_name = "吸毒人员信息"
        verbose_name_plural = "吸毒人员信息"


class AidsRiskDetail(GroupPart):
    """艾滋病危险人员."""

    membership = _special("aids_risk")
    infection_route = DictField("感染途径", dictionary="infection_route")
    has_record = models.BooleanField("是否有犯罪史", default=False)
    admitted = models.BooleanField("是否收治", default=False)
    institution = models.CharField("收治机构名称", max_length=100, blank=True)

    class Meta:
        verbose_name = "艾滋病危险人员信息"
        verbose_name_plural = "艾滋病危险人员信息"


class DisabilityDetail(GroupPart):
    """残疾人: kind, grade and certificate."""

    membership = models.OneToOneField(
        VulnerableGroup,
        verbose_name="弱势群体",
        on_delete=models.CASCADE,
        related_name="disability",
    )
    kind = DictField("残疾类别", dictionary="disability_kind", blank=False)
    grade = models.PositiveSmallIntegerField("残疾等级", choices=DisabilityGrade.choices)

    # The certificate number is the holder's ID number plus kind and grade digits.
    certificate_number = EncryptedCharField("残疾人证号", max_length=30, blank=True)

    changelog_permission = "people.view_vulnerablegroup"
    sensitive_fields = {"certificate_number": "id_number"}

    class Meta:
        verbose_name = "残疾信息"
        verbose_name_plural = "残疾信息"


class Subsidy(GroupPart):
    """A subsidy a vulnerable person receives (低保, 特困供养, 残疾人补贴 ...)."""

    membership = models.ForeignKey(
        VulnerableGroup, verbose_name="弱势群体", on_delete=models.CASCADE, related_name="subsidies"
    )
    kind = DictField("救助补贴类别", dictionary="subsidy_kind", blank=False)
    monthly_amount = models.DecimalField("月发放金额（元）", max_digits=10, decimal_places=2)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)

    changelog_permission = "people.view_vulnerablegroup"

    class Meta:
        verbose_name = "救助补贴"
        verbose_name_plural = "救助补贴"
        ordering = ["-starts_on"]

    def clean(self) -> None:
        if self.monthly_amount is not None and self.monthly_amount <= 0:
            raise ValidationError({"monthly_amount": "金额应大于 0"})
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
