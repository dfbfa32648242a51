from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from citygrid.core.fields import DictField
from citygrid.core.models import ScopedModel
from citygrid.housing.models.houses import follow_buildings
from citygrid.regions.choices import CODE_LENGTH, RegionLevel


class Estate(ScopedModel):
    """A residential compound (小区): a name people know, one or more buildings.

    It sits in the community or grid that manages it; its buildings each sit in their own grid.
    """

    name = models.CharField("小区名称", max_length=100)
    address = models.CharField("地址", max_length=200, blank=True)
    property_company = models.CharField("物业公司", max_length=100, blank=True)
    property_phone = models.CharField("物业电话", max_length=30, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "小区"
        verbose_name_plural = "小区"
        ordering = ["region_code", "name"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name"],
                name="estate_unique_name_per_region",
                violation_error_message="该区域已有同名小区",
            )
        ]
        # The house picker finds estates by the start of their name (`housing/widgets.py`).
        indexes = [
            models.Index(
                fields=["name"], name="estate_name_prefix_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.region_id and self.region.level not in (RegionLevel.COMMUNITY, RegionLevel.GRID):
            raise ValidationError({"region": "小区应归属到社区或网格"})


class Building(ScopedModel):
    """A building (楼栋): floors × entrances (单元) hold its houses, the classic 楼盘表."""

    estate = models.ForeignKey(
        Estate,
        verbose_name="所属小区",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="buildings",
    )
    name = models.CharField("楼栋名称", max_length=50, help_text="如：3号楼、幸福路12号")
    address = models.CharField("地址", max_length=200, blank=True)
    use = DictField("建筑用途", dictionary="building_use", default="01", blank=False)
    floors = models.PositiveSmallIntegerField(
        "地上层数", default=6, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    underground_floors = models.PositiveSmallIntegerField(
        "地下层数", default=0, validators=[MaxValueValidator(20)]
    )
    entrances = models.PositiveSmallIntegerField(
        "单元数", default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    houses_per_floor = models.PositiveSmallIntegerField(
        "每单元每层户数", default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    floor_area = models.DecimalField(
        "建筑面积（㎡）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    outline = models.JSONField("轮廓", null=True, blank=True, help_text="GeoJSON 面，WGS-84")
    head_name = models.CharField("楼栋长", max_length=50, blank=True)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = "楼栋"
        ordering = ["region_code", "estate_id", "name"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"],
                name="building_unique_name_per_estate",
                violation_error_message="该小区已有同名楼栋",
            )
        ]
        indexes = [
            models.Index(
                fields=["name"], name="building_name_prefix_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate.name}{self.name}" if self.estate_id else self.name

    def save(self, *args, **kwargs):
        moved = self._moved(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        if moved:
            follow_buildings([self.pk])

    def _moved(self, update_fields) -> bool:
        """Whether this write changes the position of a building that may have houses."""
        if self._state.adding:
            return False
        if update_fields is not None and not {"lng", "lat"} & set(update_fields):
            return False
        loaded = getattr(self, "_loaded_values", None)
        if loaded is None or "lng" not in loaded or "lat" not in loaded:
            return True
        return (loaded["lng"], loaded["lat"]) != (self.lng, self.lat)

    def clean(self) -> None:
        if self.region_id and self.region.level != RegionLevel.GRID:
            raise ValidationError({"region": "楼栋应归属到网格"})
        # An estate may span grids, never communities.
        community = CODE_LENGTH[RegionLevel.COMMUNITY]
        if (
            self.estate_id
            and self.region_id
            and self.region.code[:community] != self.estate.region.code[:community]
        ):
            raise ValidationError({"estate": "楼栋所在网格与该小区不在同一社区"})
