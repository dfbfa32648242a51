from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core.fields import DictField, EncryptedCharField
from citygrid.core.models import ChangeLoggedModel, ScopedModel
from citygrid.core.validators import (
    InvalidIdentifier,
    normalize_mobile,
    parse_id_number,
)
from citygrid.people import ages
from citygrid.people.choices import FloatDirection, PersonStatus, ResidenceType
from citygrid.regions.choices import RegionLevel

RESIDENT_ID_CARD = "111"  # GA/T 517: the only document the GB 11643 check applies to
SEX_CODES = {"male": "1", "female": "2"}  # GB/T 2261.1


class Person(ScopedModel):
    """A person actually living in the territory (实有人口), in the grid of their home.

    The ID number and phone are SM4 ciphertext with HMAC-SM3 blind indexes: exact look-up and
    the uniqueness check work without decrypting, and neither ever appears in clear in a log.
    Category memberships (special groups, vulnerable groups ...) are rows of their own.
    """

    id_type = DictField("证件类型", dictionary="id_type", default=RESIDENT_ID_CARD, blank=False)
    id_number = EncryptedCharField("证件号码")
    id_number_index = models.CharField("证件号码索引", max_length=64, editable=False)
    name = models.CharField("姓名", max_length=50)
    former_name = models.CharField("曾用名", max_length=50, blank=True)
    sex = DictField("性别", dictionary="sex")
    birth_date = models.DateField("出生日期", null=True, blank=True, db_index=True)
    ethnicity = DictField("民族", dictionary="ethnicity", default="01")
    nationality = DictField("国籍（地区）", dictionary="nationality", default="CHN")
    native_place = models.CharField("籍贯", max_length=6, blank=True, help_text="行政区划代码")
    household_place = models.CharField("户籍地", max_length=6, blank=True, help_text="行政区划代码")
    household_address = models.CharField("户籍地详址", max_length=200, blank=True)
    current_address = models.CharField("现住地详址", max_length=200, blank=True)
    marital_status = DictField("婚姻状况", dictionary="marital_status")
    political_status = DictField("政治面貌", dictionary="political_status")
    education = DictField("学历", dictionary="education")
    religion = DictField("宗教信仰", dictionary="religion")
    occupation_category = DictField("职业类别", dictionary="occupation_category")
    occupation = models.CharField("职业", max_length=50, blank=True)
    workplace = models.CharField("服务处所", max_length=100, blank=True)
    phone = EncryptedCharField("联系电话", blank=True)
    phone_index = models.CharField(
        "联系电话索引", max_length=64, db_index=True, editable=False, blank=True
    )
    residence_type = models.CharField(
        "人口类型", max_length=20, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    status = models.CharField(
        "状态", max_length=20, choices=PersonStatus.choices, default=PersonStatus.PRESENT
    )
    note = models.TextField("备注", blank=True)

    sensitive_fields = {"id_number": "id_number", "phone": "mobile"}
    changelog_exclude = ("created", "last_updated", "id_number_index", "phone_index")

    class Meta:
        verbose_name = "实有人口"
        verbose_name_plural = "实有人口"
        ordering = ["region_code", "name", "id"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                name="person_unique_id_number",
                violation_error_message="该证件号码已登记",
            )
        ]
        indexes = [
            models.Index(fields=["region_code", "residence_type"], name="person_scope_type_idx"),
            # The list's order: the first page of a subtree is read from the index, not sorted.
            models.Index(fields=["region_code", "name", "id"], name="person_list_idx"),
            # Name prefix search (`name LIKE '张%'`): a plain index serves LIKE only under the
            # C collation; pattern operators serve it under zh_CN.UTF-8 and any other too.
            models.Index(
                fields=["name"], name="person_name_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.region_id and self.region.level not in (RegionLevel.COMMUNITY, RegionLevel.GRID):
            errors["region"] = "人员应归属到网格（或暂归属到社区）"
        if self.id_number and self.id_type == RESIDENT_ID_CARD:
            try:
                info = parse_id_number(self.id_number)
            except InvalidIdentifier as exc:
                errors["id_number"] = str(exc)
            else:
                self.id_number = info.number
                derived_sex = SEX_CODES[info.sex]
                if self.birth_date and self.birth_date != info.birth_date:
                    errors["birth_date"] = "出生日期与身份证号码不符"
                if self.sex and self.sex in SEX_CODES.values() and self.sex != derived_sex:
                    errors["sex"] = "性别与身份证号码不符"
                self.birth_date = info.birth_date
                self.sex = derived_sex
        elif self.id_number:
            self.id_number = self.id_number.strip().upper()
        if self.phone:
            try:
                self.phone = normalize_mobile(self.phone)
            except ValueError:
                errors["phone"] = "手机号码格式不正确"
        self.id_number_index = self.blind_index_of("id_number")
        if self.id_number and "id_number" not in errors:
            duplicate = self.duplicate_of()
            if duplicate is not None:
                errors["id_number"] = ValidationError(
                    "该证件号码已登记", code="duplicate", params={"pk": duplicate.pk}
                )
        if errors:
            raise ValidationError(errors)

    def duplicate_of(self) -> "Person | None":
        """The person already registered with this document number, in any district."""
        return (
            Person.objects.filter(id_number_index=self.id_number_index)
            .exclude(pk=self.pk)
            .only("pk", "name", "region_code")
            .first()
        )

    def age(self, on: date | None = None) -> int | None:
        return ages.age(self.birth_date, on)


class PersonPart(ChangeLoggedModel):
    """Extra items of one residence category, kept with the person they describe."""

    scope_field = "person__region_code"
    changelog_permission = "people.view_person"

    class Meta:
        abstract = True
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.person}（{self._meta.verbose_name}）"

    def get_absolute_url(self) -> str:
        return self.person.get_absolute_url()


class RegisteredDetail(PersonPart):
    """户籍人口: household items."""

    person = models.OneToOneField(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="registered"
    )
    household_match = DictField("人户一致标识", dictionary="household_match", default="01")
    household_number = models.CharField("户号", max_length=30, blank=True)
    head_name = models.CharField("户主姓名", max_length=50, blank=True)
    relation_to_head = DictField("与户主关系", dictionary="relation_to_head")

    class Meta:
        verbose_name = "户籍信息"
        verbose_name_plural = "户籍信息"


class FloatingDetail(PersonPart):
    """流动人口: why they came (or where they went), permit and its expiry."""

    person = models.OneToOneField(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="floating"
    )
    direction = models.CharField(
        "流动方向", max_length=10, choices=FloatDirection.choices, default=FloatDirection.INFLOW
    )
    reason = DictField("流入原因", dictionary="inflow_reason")
    registered_on = models.DateField("登记日期", db_index=True)
    permit_type = DictField("办证类型", dictionary="permit_type")
    # A residence permit's number is the holder's citizen ID number.
    permit_number = EncryptedCharField("证件号码（居住证）", max_length=50, blank=True)
    permit_expiry = models.DateField("证件到期日期", null=True, blank=True)
    dwelling_type = DictField("住所类型", dictionary="dwelling_type")
    destination = models.CharField("流出去向", max_length=200, blank=True)
    key_attention = models.BooleanField("重点关注人员", default=False)

    sensitive_fields = {"permit_number": "id_number"}

    class Meta:
        verbose_name = "流动人口信息"
        verbose_name_plural = "流动人口信息"

    def clean(self) -> None:
        if self.direction == FloatDirection.OUTFLOW and not self.destination:
            raise ValidationError({"destination": "流出人员须填写流出去向"})


class OverseasDetail(PersonPart):
    """境外人员: foreign name, document validity, purpose and stay."""

    person = models.OneToOneField(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="overseas"
    )
    foreign_surname = models.CharField("外文姓", max_length=50, blank=True)
    foreign_given_name = models.CharField("外文名", max_length=50, blank=True)
    document_expiry = models.DateField("证件有效期", null=True, blank=True)
    purpose = DictField("来华目的", dictionary="visit_purpose")
    arrival_date = models.DateField("抵达日期", null=True, blank=True)
    planned_departure = models.DateField("预计离开日期", null=True, blank=True)

    class Meta:
        verbose_name = "境外人员信息"
        verbose_name_plural = "境外人员信息"

    def clean(self) -> None:
        if (
            self.arrival_date
            and self.planned_departure
            and self.planned_departure < self.arrival_date
        ):
            raise ValidationError({"planned_departure": "预计离开日期不能早于抵达日期"})


class LeftBehindDetail(PersonPart):
    """留守人员: who is away, the family's situation and what they need."""

    person = models.OneToOneField(
        Person, verbose_name="人员", on_delete=models.CASCADE, related_name="left_behind"
    )
    kind = DictField("留守人员类型", dictionary="left_behind_type", blank=False)
    health = DictField("健康状况", dictionary="health_status")
    annual_income = models.DecimalField(
        "个人年收入（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    family_member_name = EncryptedCharField("主要家庭成员姓名", max_length=50, blank=True)
    family_member_relation = DictField("与留守人员关系", dictionary="relation_to_head")
    family_member_phone = EncryptedCharField("主要家庭成员电话", max_length=30, blank=True)
    family_member_workplace = models.CharField("主要家庭成员工作地址", max_length=200, blank=True)
    family_income = models.DecimalField(
        "家庭年收入（元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    difficulties = models.TextField("困难及诉求", blank=True)

    sensitive_fields = {"family_member_name": "name", "family_member_phone": "mobile"}

    class Meta:
        verbose_name = "留守人员信息"
        verbose_name_plural = "留守人员信息"
