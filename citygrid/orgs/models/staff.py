import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core import files
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ChangeLoggedModel, ScopedModel, VersionStamp
from citygrid.core.validators import normalize_mobile, validate_mobile
from citygrid.orgs.choices import Gender, RecordKind, StaffSource

# Bumped by every single write of a member and by the mirror: the tree's cached head counts
# (`orgs/tree.py`) are keyed on it. Bulk imports leave it alone; the cache expires in a minute.
HEADCOUNT_STAMP = "org_headcounts"


class Staff(ScopedModel):
    """A member of a unit (队伍成员) with a post and its duties.

    A grid worker is a member of their grid's service team and a department's handler a
    member of its department: those rows are made by `orgs.mirror` (source says so) and point
    at the existing record, so nobody is typed in twice. Its region is the unit's.
    """

    unit = models.ForeignKey(
        "orgs.OrgUnit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="staff"
    )
    source = models.CharField(
        "来源",
        max_length=20,
        choices=StaffSource.choices,
        default=StaffSource.MANUAL,
        editable=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="系统账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_posts",
    )
    grid_worker = models.OneToOneField(
        "regions.GridWorker",
        verbose_name="网格员",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="staff",
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("岗位", max_length=50, blank=True)
    post_duties = models.TextField("职责定位", blank=True)
    phone = EncryptedCharField("联系电话", blank=True, validators=[validate_mobile])
    phone_index = models.CharField("联系电话索引", max_length=64, db_index=True, editable=False)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    education = models.CharField("学历", max_length=30, blank=True)
    hired_on = models.DateField("入职日期", null=True, blank=True)
    active = models.BooleanField("在岗", default=True)
    # The unit's path, copied so that head counts group members without a join (a unit with
    # members never changes parent, so the copy never goes stale).
    unit_path = models.CharField("单位路径", max_length=255, editable=False, default="")

    sensitive_fields = {"phone": "mobile"}
    changelog_exclude = ("created", "last_updated", "phone_index", "unit_path")

    class Meta:
        verbose_name = "队伍成员"
        verbose_name_plural = "队伍成员"
        ordering = ["unit_id", "name", "id"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        permissions = [("grant_staff", "为成员授予角色和管辖区域")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "user"],
                name="staff_unique_user_per_unit",
                violation_error_message="该账号已是本单位成员",
            )
        ]
        indexes = [
            models.Index(
                fields=["name"], name="staff_name_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["unit_path", "active"],
                name="staff_unit_path_idx",
                opclasses=["varchar_pattern_ops", "bool_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）" if self.post else self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        VersionStamp.bump(HEADCOUNT_STAMP)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        VersionStamp.bump(HEADCOUNT_STAMP)
        return result

    def derive_region(self) -> None:
        if self.unit_id:
            self.region = self.unit.region
            self.unit_path = self.unit.path

    def clean(self) -> None:
        if self.phone:
            # A bad number stays as typed; the field validator reports it in Chinese.
            with contextlib.suppress(ValueError):
                self.phone = normalize_mobile(self.phone)
        if (
            self.grid_worker_id
            and self.user_id
            and self.grid_worker.user_id
            not in (
                None,
                self.user_id,
            )
        ):
            raise ValidationError({"user": "系统账号与该网格员的账号不一致"})


class StaffRecord(ChangeLoggedModel):
    """One entry of a member's staff file (人员档案): education, training, reward, punishment."""

    staff = models.ForeignKey(
        Staff, verbose_name="成员", on_delete=models.CASCADE, related_name="records"
    )
    kind = models.CharField("类别", max_length=20, choices=RecordKind.choices)
    date = models.DateField("日期")
    title = models.CharField("名称", max_length=100)
    detail = models.TextField("详细情况", blank=True)
    attachment = models.FileField(
        "附件",
        upload_to=files.UnguessableName("orgs"),
        storage=files.PrivateStorage("orgs"),
        blank=True,
    )

    scope_field = "staff__region_code"
    changelog_permission = "orgs.view_staff"

    class Meta:
        verbose_name = "档案记录"
        verbose_name_plural = "档案记录"
        ordering = ["staff_id", "kind", "-date"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


files.register(
    "orgs",
    ("attachment",),
    lambda user: StaffRecord.objects.filter(staff__in=Staff.objects.restrict(user, "view")),
)
