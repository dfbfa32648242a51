from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core.fields import DictField, EncryptedCharField
from citygrid.core.models import ScopedModel
from citygrid.core.validators import validate_mobile
from citygrid.housing import numbering
from citygrid.housing.choices import CheckResult, RentalSource, RentalStatus


class Rental(ScopedModel):
    """A house let to tenants (出租屋), with a rental number that identifies it for good.

    Landlords may declare one online; it waits as `pending` until the grid worker confirms it.
    Tenants are people living in the house with the relation "tenant" (`people.Residency`).
    """

    house = models.ForeignKey(
        "housing.House", verbose_name="房屋", on_delete=models.PROTECT, related_name="rentals"
    )
    rental_no = models.CharField("出租屋编号", max_length=22, unique=True, editable=False)
    status = models.CharField(
        "状态", max_length=20, choices=RentalStatus.choices, default=RentalStatus.ACTIVE
    )
    source = models.CharField(
        "登记来源", max_length=20, choices=RentalSource.choices, default=RentalSource.STAFF
    )
    use = DictField("出租用途", dictionary="rental_use", default="01", blank=False)
    landlord_name = EncryptedCharField("房东姓名", max_length=50)
    landlord_id_number = EncryptedCharField("房东证件号码", blank=True)
    landlord_id_number_index = models.CharField(
        "房东证件号码索引", max_length=64, db_index=True, editable=False, blank=True
    )
    landlord_phone = EncryptedCharField("房东电话", validators=[validate_mobile])
    landlord_phone_index = models.CharField(
        "房东电话索引", max_length=64, db_index=True, editable=False
    )
    rented_area = models.DecimalField(
        "出租面积（㎡）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    rooms = models.PositiveSmallIntegerField("出租间数", default=1)
    start_date = models.DateField("起租日期", null=True, blank=True)
    end_date = models.DateField("到期日期", null=True, blank=True)
    # What the landlord declared online about the tenants, until the grid worker registers them.
    declared_tenants = EncryptedCharField("申报租客", blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("核实时间", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    sensitive_fields = {
        "landlord_name": "name",
        "landlord_id_number": "id_number",
        "landlord_phone": "mobile",
        "declared_tenants": "text",
    }
    changelog_exclude = (
        "created",
        "last_updated",
        "landlord_id_number_index",
        "landlord_phone_index",
    )

    class Meta:
        verbose_name = "出租屋"
        verbose_name_plural = "出租屋"
        ordering = ["region_code", "rental_no"]
        default_permissions = (
            "view",
            "add",
            "change",
            "delete",
            "import",
            "export",
            "confirm",
        )
        constraints = [
            models.UniqueConstraint(
                fields=["house"],
                condition=models.Q(status__in=["pending", "active"]),
                name="rental_one_open_per_house",
                violation_error_message="该房屋已有在租或待核实的出租登记",
            )
        ]

    def __str__(self) -> str:
        return self.rental_no or "新出租登记"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "到期日期不能早于起租日期"})

    def derive_region(self) -> None:
        if self.house_id:
            self.region = self.house.region

    def save(self, *args, **kwargs):
        self.derive_region()
        if not self.rental_no:
            self.rental_no = numbering.next_rental_no(self.region.code)
        super().save(*args, **kwargs)


class HazardCheck(ScopedModel):
    """One safety check of a house (usually a rental): what was found, and until when to fix it."""

    house = models.ForeignKey(
        "housing.House", verbose_name="房屋", on_delete=models.CASCADE, related_name="checks"
    )
    checked_on = models.DateField("检查日期")
    inspector = models.CharField("检查人", max_length=50)
    hazard = DictField("隐患类型", dictionary="hazard_type")
    result = models.CharField("检查结果", max_length=20, choices=CheckResult.choices)
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    findings = models.TextField("检查情况", blank=True)

    class Meta:
        verbose_name = "隐患检查"
        verbose_name_plural = "隐患检查"
        ordering = ["-checked_on", "-id"]
        default_permissions = ("view", "add", "change", "delete", "export")

    def __str__(self) -> str:
        return f"{self.house} {self.checked_on:%Y-%m-%d}"

    def clean(self) -> None:
        if self.result == CheckResult.RECTIFY and not self.rectify_by:
            raise ValidationError({"rectify_by": "限期整改须填写整改期限"})
        if self.result != CheckResult.PASSED and not self.hazard:
            raise ValidationError({"hazard": "发现隐患时须选择隐患类型"})

    def derive_region(self) -> None:
        if self.house_id:
            self.region = self.house.region
