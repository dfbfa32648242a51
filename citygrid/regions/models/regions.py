from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from citygrid.core import files
from citygrid.core.models import ChangeLoggedModel, VersionStamp
from citygrid.regions.choices import (
    CODE_LENGTH,
    PARENT_LEVEL,
    GridKind,
    RegionLevel,
    ancestor_codes,
)
from citygrid.regions.geo.shapes import GeometryError, geodesic_area_m2, parse_boundary, to_geojson

GEOMETRY_STAMP = "grid_geometry"


class Region(ChangeLoggedModel):
    """A node of the territorial tree: 市, 区县, 街道/乡镇, 社区/村, 网格 (or 村小组).

    The code is hierarchical by prefix — a child's code extends its parent's — so the subtree of
    any node is one `code LIKE 'prefix%'` range scan.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name="上级区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    level = models.CharField("层级", max_length=20, choices=RegionLevel.choices)
    code = models.CharField("区划代码", max_length=15, unique=True)
    name = models.CharField("名称", max_length=100, db_index=True)
    kind = models.CharField(
        "网格类型", max_length=20, choices=GridKind.choices, default=GridKind.BASIC, blank=True
    )
    boundary = models.JSONField("边界", null=True, blank=True)
    bbox_min_lng = models.FloatField("外包框西", null=True, blank=True, editable=False)
    bbox_min_lat = models.FloatField("外包框南", null=True, blank=True, editable=False)
    bbox_max_lng = models.FloatField("外包框东", null=True, blank=True, editable=False)
    bbox_max_lat = models.FloatField("外包框北", null=True, blank=True, editable=False)
    center_lng = models.FloatField("中心经度", null=True, blank=True, editable=False)
    center_lat = models.FloatField("中心纬度", null=True, blank=True, editable=False)
    area_m2 = models.FloatField("面积（平方米）", null=True, blank=True, editable=False)
    photo = models.ImageField(
        "照片",
        upload_to=files.UnguessableName("regions"),
        storage=files.PrivateStorage("regions"),
        blank=True,
    )
    introduction = models.TextField("简介", blank=True)
    valid_from = models.DateField("启用日期", null=True, blank=True)
    valid_to = models.DateField("停用日期", null=True, blank=True)

    scope_field = "code"
    changelog_exclude = (
        "created",
        "last_updated",
        "bbox_min_lng",
        "bbox_min_lat",
        "bbox_max_lng",
        "bbox_max_lat",
        "center_lng",
        "center_lat",
    )

    class Meta:
        verbose_name = "区域网格"
        verbose_name_plural = "区域网格"
        ordering = ["code"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        indexes = [
            models.Index(fields=["level", "code"], name="region_level_code_idx"),
            models.Index(
                fields=["bbox_min_lng", "bbox_max_lng", "bbox_min_lat", "bbox_max_lat"],
                name="region_bbox_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=RegionLevel.values),
                name="region_level_valid",
                violation_error_message="层级无效",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("regions:region", args=[self.pk])

    @property
    def is_grid(self) -> bool:
        return self.level == RegionLevel.GRID

    def ancestors(self) -> list["Region"]:
        """From the root down to the parent, fetched in one query via the code prefixes."""
        prefixes = ancestor_codes(self.code)
        found = {r.code: r for r in Region.objects.filter(code__in=prefixes)}
        return [found[p] for p in prefixes if p in found]

    def full_name(self) -> str:
        return "".join(r.name for r in [*self.ancestors(), self])

    def clean(self) -> None:
        errors: dict[str, str] = {}
        expected_parent = PARENT_LEVEL.get(self.level)
        code = (self.code or "").strip()
        self.code = code
        if self.level in CODE_LENGTH:
            length = CODE_LENGTH[self.level]
            if not code.isdigit() or len(code) != length:
                errors["code"] = f"{self.get_level_display()}的区划代码应为{length}位数字"
        # `self.parent`, not `parent_id`: an import may link to a parent saved later.
        parent = self.parent
        if expected_parent is None:
            if parent is not None:
                errors["parent"] = "市级区域不能有上级区域"
        elif parent is None:
            errors["parent"] = f"{self.get_level_display()}必须选择上级区域"
        elif parent.level != expected_parent:
            errors["parent"] = (
                f"{self.get_level_display()}的上级必须是{RegionLevel(expected_parent).label}"
            )
        elif "code" not in errors and not code.startswith(parent.code):
            errors["code"] = f"区划代码必须以上级区域代码 {parent.code} 开头"
        loaded = getattr(self, "_loaded_identity", None)
        if loaded and loaded != (self.code, self.level):
            # Records copy the code for scoping and history refers to it: never rewrite it.
            errors["code"] = "区划代码和层级创建后不能修改；区划调整请新建区域并停用旧区域"
        if self.pk and self.parent_id == self.pk:
            errors["parent"] = "上级区域不能是自身"
        if self.boundary not in (None, "", {}):
            try:
                self.boundary = to_geojson(parse_boundary(self.boundary))
            except GeometryError as exc:
                errors["boundary"] = exc.message
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = "停用日期不能早于启用日期"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        geometry_changed = self._update_geometry_columns()
        super().save(*args, **kwargs)
        if geometry_changed and self.level == RegionLevel.GRID:
            VersionStamp.bump(GEOMETRY_STAMP)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        if self.level == RegionLevel.GRID and self.boundary:
            VersionStamp.bump(GEOMETRY_STAMP)
        return result

    def _update_geometry_columns(self) -> bool:
        """Derive bbox, centre and area from the boundary; True when the boundary changed."""
        old = getattr(self, "_loaded_boundary", None)
        if not self.boundary:
            self.bbox_min_lng = self.bbox_min_lat = self.bbox_max_lng = self.bbox_max_lat = None
            self.center_lng = self.center_lat = self.area_m2 = None
        else:
            geom = parse_boundary(self.boundary)
            (self.bbox_min_lng, self.bbox_min_lat, self.bbox_max_lng, self.bbox_max_lat) = (
                geom.bounds
            )
            point = geom.representative_point()
            self.center_lng, self.center_lat = point.x, point.y
            self.area_m2 = round(geodesic_area_m2(geom), 1)
        changed = self._state.adding or old != self.boundary
        self._loaded_boundary = self.boundary
        return changed

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        if "boundary" in field_names:
            instance._loaded_boundary = instance.boundary
        if "code" in field_names and "level" in field_names:
            instance._loaded_identity = (instance.code, instance.level)
        return instance


files.register("regions", ("photo",), lambda user: Region.objects.restrict(user, "view"))
