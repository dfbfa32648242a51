from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery

from citygrid.core import records
from citygrid.core.fields import DictField, EncryptedCharField
from citygrid.core.models import ScopedModel
from citygrid.core.validators import validate_mobile
from citygrid.housing import numbering
from citygrid.housing.choices import Occupancy
from citygrid.regions.choices import RegionLevel

# Fields of a house that decide where it is drawn.
POSITION_SOURCES = {"lng", "lat", "building", "building_id"}


class House(ScopedModel):
    """A house or flat (房屋/户): one door with a code that works like an ID number.

    In a building it has an entrance (单元), a floor and a door number; a standalone house
    (village courtyard, shop) has only an address. Its grid is its building's grid.
    """

    code = models.CharField(
        "房屋编码", max_length=21, unique=True, editable=False, help_text="系统按规则生成"
    )
    building = models.ForeignKey(
        "housing.Building",
        verbose_name="所属楼栋",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="houses",
    )
    entrance = models.PositiveSmallIntegerField("单元", null=True, blank=True)
    floor = models.SmallIntegerField("楼层", null=True, blank=True, help_text="地下层为负数")
    number = models.CharField("门牌号", max_length=30, help_text="如：301")
    address = models.CharField("详细地址", max_length=200, blank=True)
    area = models.DecimalField(
        "建筑面积（㎡）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    use = DictField("房屋用途", dictionary="building_use", default="01", blank=False)
    ownership = DictField("产权性质", dictionary="house_ownership", default="01", blank=False)
    occupancy = models.CharField(
        "使用状态", max_length=20, choices=Occupancy.choices, default=Occupancy.OWNER_OCCUPIED
    )
    owner_name = EncryptedCharField("产权人", max_length=50, blank=True)
    owner_id_number = EncryptedCharField("产权人证件号码", blank=True)
    owner_id_number_index = models.CharField(
        "产权人证件号码索引", max_length=64, db_index=True, editable=False, blank=True
    )
    owner_phone = EncryptedCharField("产权人电话", blank=True, validators=[validate_mobile])
    owner_phone_index = models.CharField(
        "产权人电话索引", max_length=64, db_index=True, editable=False, blank=True
    )
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    # Where maps draw the house: its own point, else its building's (`derive`, and
    # `follow_buildings` when a building moves). A column of its own so that a map's bbox is
    # one range scan on `house_map_position_idx`, not a CASE over every house and building.
    map_lng = models.FloatField("地图经度", null=True, blank=True, editable=False)
    map_lat = models.FloatField("地图纬度", null=True, blank=True, editable=False)
    note = models.TextField("备注", blank=True)

    sensitive_fields = {
        "owner_name": "name",
        "owner_id_number": "id_number",
        "owner_phone": "mobile",
    }
    changelog_exclude = (
        "created",
        "last_updated",
        "owner_id_number_index",
        "owner_phone_index",
        "map_lng",
        "map_lat",
    )

    class Meta:
        verbose_name = "房屋"
        verbose_name_plural = "房屋"
        ordering = ["region_code", "building_id", "entrance", "floor", "number"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["building", "entrance", "number"],
                name="house_unique_door_per_building",
                violation_error_message="该楼栋该单元已有此门牌号的房屋",
            )
        ]
        indexes = [
            models.Index(fields=["building", "entrance", "floor"], name="house_cell_idx"),
            models.Index(fields=["map_lng", "map_lat"], name="house_map_position_idx"),
            models.Index(
                fields=["address"],
                name="house_address_prefix_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        if self.building_id:
            unit = f"{self.entrance}单元" if self.entrance else ""
            return f"{self.building}{unit}{self.number}"
        return self.address or self.number

    def clean(self) -> None:
        if self.building_id:
            if self.entrance and self.entrance > self.building.entrances:
                raise ValidationError({"entrance": f"该楼栋只有 {self.building.entrances} 个单元"})
            if self.floor and (
                self.floor > self.building.floors or -self.floor > self.building.underground_floors
            ):
                raise ValidationError({"floor": "楼层超出该楼栋的层数"})
        elif not self.address:
            raise ValidationError({"address": "不在楼栋中的房屋须填写详细地址"})
        if self.region_id and self.region.level != RegionLevel.GRID:
            raise ValidationError({"region": "房屋应归属到网格"})

    def derive_region(self) -> None:
        if self.building_id:
            self.region = self.building.region

    def derive(self) -> None:
        super().derive()
        self.derive_position()

    def derive_position(self) -> None:
        """`map_lng`/`map_lat`: the house's own point when it has both coordinates, else its
        building's (the building is loaded already: `derive_region` reads its grid)."""
        if self.lng is not None and self.lat is not None:
            self.map_lng, self.map_lat = self.lng, self.lat
        elif self.building_id:
            self.map_lng, self.map_lat = self.building.lng, self.building.lat
        else:
            self.map_lng = self.map_lat = None

    def save(self, *args, **kwargs):
        self.derive_region()
        if not self.code:
            self.code = numbering.next_house_code(self.region.code)
        fields = kwargs.get("update_fields")
        if fields is not None and POSITION_SOURCES & set(fields):
            kwargs["update_fields"] = {*fields, "map_lng", "map_lat"}
        super().save(*args, **kwargs)

    def position(self) -> tuple[float, float] | None:
        """Where to draw the house: its own point, else its building's."""
        if self.lng is not None and self.lat is not None:
            return self.lng, self.lat
        if self.building_id and self.building.lng is not None:
            return self.building.lng, self.building.lat
        return None


def follow_buildings(building_ids) -> int:
    """After buildings moved: their houses without a point of their own that are not at the
    building's position yet take it, in one UPDATE; returns how many moved. Called by
    `Building.save()`; a bulk update of buildings (the importer's fast path) calls it with the
    ids it wrote — houses of buildings that did not move are left alone. The map position is
    bookkeeping, not history (`changelog_exclude`), hence `records.touch`."""
    building = House._meta.get_field("building").related_model.objects.filter(
        pk=OuterRef("building_id")
    )
    houses = (
        House.objects.filter(building_id__in=building_ids)
        .filter(Q(lng__isnull=True) | Q(lat__isnull=True))
        .exclude(map_lng=F("building__lng"), map_lat=F("building__lat"))
    )
    return records.touch(
        houses,
        map_lng=Subquery(building.values("lng")[:1]),
        map_lat=Subquery(building.values("lat")[:1]),
    )
