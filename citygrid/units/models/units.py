import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from citygrid.core import validators
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ChangeLoggedModel, ScopedModel
from citygrid.regions.choices import RegionLevel
from citygrid.units.choices import WARN_DAYS, LicenceKind, LicenceState, UnitClass, UnitStatus

# A unit sits in a grid (found from its position); one placed by hand may be filed with its
# community or village group when its point lies outside every drawn grid.
PLACE_LEVELS = (RegionLevel.GRID, RegionLevel.COMMUNITY, RegionLevel.VILLAGE_GROUP)

OUTSIDE_GRIDS = "该位置不在任何网格内"
NO_PLACE = "请填写经纬度或选择所属网格"


def _sensitive(label: str, **kwargs) -> EncryptedCharField:
    return EncryptedCharField(label, blank=True, **kwargs)


def _index() -> models.CharField:
    return models.CharField(max_length=64, editable=False, db_index=True, default="")


class Unit(ScopedModel):
    """A social unit (社会组织数据): a restaurant, hotel, internet café ... of one of eleven
    classes, with its licences. Its grid follows its position on the map. A special-trade
    venue (`Venue`, a later issue) is a one-to-one extension of a unit, so this record stays
    self-sufficient."""

    name = models.CharField("单位名称", max_length=100)
    unit_class = models.CharField("单位类别", max_length=20, choices=UnitClass.choices)
    uscc = models.CharField(
        "统一社会信用代码",
        max_length=18,
        null=True,  # no code: NULL, so the unique constraint is a plain one (checked per chunk)
        blank=True,
        validators=[validators.validate_credit_code],
        help_text="18位，按 GB 32100 校验；个体户无代码可留空",
    )
    legal_representative = _sensitive("法定代表人")
    legal_representative_index = _index()
    legal_representative_phone = _sensitive(
        "法定代表人电话", validators=[validators.validate_mobile]
    )
    legal_representative_phone_index = _index()
    contact_name = _sensitive("联系人")
    contact_name_index = _index()
    contact_phone = _sensitive("联系电话", validators=[validators.validate_mobile])
    contact_phone_index = _index()
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    staff_count = models.PositiveIntegerField("从业人员数", default=0)
    status = models.CharField(
        "经营状态", max_length=20, choices=UnitStatus.choices, default=UnitStatus.OPEN
    )
    note = models.TextField("备注", blank=True)

    sensitive_fields = {
        "legal_representative": "name",
        "legal_representative_phone": "mobile",
        "contact_name": "name",
        "contact_phone": "mobile",
    }
    changelog_exclude = (
        "created",
        "last_updated",
        "legal_representative_index",
        "legal_representative_phone_index",
        "contact_name_index",
        "contact_phone_index",
    )

    class Meta:
        verbose_name = "社会单位"
        verbose_name_plural = "社会单位"
        ordering = ["region_code", "name"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                name="unit_unique_uscc",
                violation_error_code="unique",
                violation_error_message="已有相同统一社会信用代码的单位",
            ),
        ]
        indexes = [
            models.Index(fields=["unit_class", "region_code"], name="unit_class_region_idx"),
            models.Index(fields=["lng", "lat"], name="unit_position_idx"),
            models.Index(
                fields=["name"], name="unit_name_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("units:unit", args=[self.pk])

    def derive(self) -> None:
        self.uscc = (self.uscc or "").strip().upper() or None
        super().derive()

    def derive_region(self) -> None:
        """The grid at the unit's position, when a grid holds it; else the region chosen."""
        grid_id = self.located_grid()
        if grid_id is not None and grid_id != self.region_id:
            from citygrid.regions.models import Region

            self.region = Region.objects.get(pk=grid_id)

    def located_grid(self) -> int | None:
        """The grid id at the position, looked up once per position per instance (a record is
        derived at validation and again at its write; imports set it for a chunk at once)."""
        if self.lng is None or self.lat is None:
            return None
        point = (self.lng, self.lat)
        known = self.__dict__.get("_located")
        if known is None or known[0] != point:
            from citygrid.regions.geo.index import load_index

            known = (point, load_index().locate(*point))
            self.__dict__["_located"] = known
        return known[1]

    def clean_fields(self, exclude=None):
        """Missing place: the position lies outside every grid and no region was chosen."""
        self.derive()
        exclude = set(exclude or ())
        # Even when a form leaves the (optional) region out of validation.
        missing = self.region_id is None
        errors: dict = {}
        try:
            super().clean_fields(exclude | {"region"} if missing else exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if missing:
            located = self.lng is not None and self.lat is not None
            errors.setdefault("region", []).append(OUTSIDE_GRIDS if located else NO_PLACE)
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        errors = {}
        if (self.lng is None) != (self.lat is None):
            errors["lat" if self.lat is None else "lng"] = "经度和纬度须同时填写"
        if self.region_id and self.region.level not in PLACE_LEVELS:
            errors["region"] = "单位应归属到网格、社区（村）或村小组"
        if errors:
            raise ValidationError(errors)


class UnitLicence(ChangeLoggedModel):
    """A licence a unit holds (营业执照, 食品经营许可证 ...), with its expiry date: staff are
    warned before it lapses. Part of the unit: its history is read with the unit's."""

    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", on_delete=models.CASCADE, related_name="licences"
    )
    kind = models.CharField("证照类型", max_length=20, choices=LicenceKind.choices)
    number = models.CharField("证照编号", max_length=50)
    issued_on = models.DateField("发证日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True, help_text="长期有效留空")

    scope_field = "unit__region_code"
    changelog_permission = "units.view_unit"

    class Meta:
        verbose_name = "单位证照"
        verbose_name_plural = "单位证照"
        ordering = ["unit", "expires_on", "pk"]
        default_permissions = ("view", "add", "change", "delete")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "number"],
                name="unitlicence_unique_number",
                violation_error_message="该单位已登记此证照",
            ),
        ]
        indexes = [models.Index(fields=["expires_on"], name="unitlicence_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def get_absolute_url(self) -> str:
        return self.unit.get_absolute_url()

    def clean(self) -> None:
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": "有效期至不能早于发证日期"})

    def state(self, today: datetime.date) -> str:
        """ "expiring", "expired" or "" (valid, or no expiry)."""
        if self.expires_on is None:
            return ""
        if self.expires_on < today:
            return LicenceState.EXPIRED
        if self.expires_on <= today + datetime.timedelta(days=WARN_DAYS):
            return LicenceState.EXPIRING
        return ""


class LicenceWarning(models.Model):
    """That a licence's expiry warning of one window went out: the periodic task sends each
    once. Keyed by the expiry date too, so a renewed licence is warned again."""

    class Window(models.TextChoices):
        SOON = "soon", "即将到期"
        EXPIRED = "expired", "已过期"

    licence = models.ForeignKey(
        UnitLicence, verbose_name="证照", on_delete=models.CASCADE, related_name="warnings"
    )
    window = models.CharField("提醒类型", max_length=10, choices=Window.choices)
    expires_on = models.DateField("有效期至")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "证照到期提醒"
        verbose_name_plural = "证照到期提醒"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "window", "expires_on"], name="licencewarning_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence}·{self.get_window_display()}"
