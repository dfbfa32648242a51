import secrets
import string

from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core.models import ScopedModel
from citygrid.orgs.choices import UnitKind

SEGMENT = 8  # characters of one step of a unit's path
_ALPHABET = string.digits + string.ascii_lowercase


def new_segment() -> str:
    """A random fixed-width path step: known before the INSERT (bulk creation reserves ids
    only inside it), and fixed width so all children of a node have paths of one length."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(SEGMENT))


class OrgUnit(ScopedModel):
    """A unit of the grid-management system (机构): a command centre or sub-centre, a department
    (委办局), a community work station or a grid's service team.

    Units that mirror a region (centre, work station, service team) or a `cases.Department` are
    made by `orgs.mirror.ensure_units()`; others (a sub-centre, a section) are added by hand.
    `path` (the ancestors' segments, then its own) makes a subtree one prefix range: head counts
    of all children of a node are one GROUP BY on a path prefix.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices)
    code = models.CharField(
        "机构编码",
        max_length=30,
        unique=True,
        help_text="对应区域的单位取区划代码，对应处置部门的单位取 BM- 加部门代码",
    )
    name = models.CharField("单位名称", max_length=100)
    duties = models.TextField("职能定位", blank=True)
    phone = models.CharField("办公电话", max_length=30, blank=True)
    sort = models.PositiveIntegerField("排序", default=100)
    # The region this unit mirrors (a centre per city/county/township, a work station per
    # community, a service team per grid); empty for units added by hand.
    mirrors = models.OneToOneField(
        "regions.Region",
        verbose_name="对应区域",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="org_unit",
    )
    department = models.OneToOneField(
        "cases.Department",
        verbose_name="对应处置部门",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="org_unit",
    )
    path = models.CharField("路径", max_length=255, unique=True, editable=False)

    changelog_exclude = ("created", "last_updated", "path")

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["path"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        indexes = [
            models.Index(
                fields=["path"], name="orgunit_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["name"], name="orgunit_name_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def derive(self) -> None:
        super().derive()
        if not self.path or self._parent_changed():
            base = self.parent.path if self.parent_id else ""
            self.path = base + (self.path[-SEGMENT:] if self.path else new_segment())

    def _parent_changed(self) -> bool:
        loaded = getattr(self, "_loaded_values", None)
        return bool(loaded) and loaded.get("parent_id") != self.parent_id

    def clean(self) -> None:
        errors = {}
        if self.kind == UnitKind.DEPARTMENT and not self.department_id and self.mirrors_id:
            errors["kind"] = "委办局不能对应区域"
        if self.department_id and self.kind != UnitKind.DEPARTMENT:
            errors["department"] = "只有委办局类型的单位可以对应处置部门"
        if not (self.mirrors_id or self.department_id) and (
            self.code.isdigit() or self.code.upper().startswith("BM-")
        ):
            errors["code"] = "纯数字编码和 BM- 开头的编码留给区域和处置部门对应的单位"
        if self.parent_id:
            if self.pk and self.parent.path.startswith(self.path or "\0"):
                errors["parent"] = "上级单位不能是本单位或其下级单位"
            elif self.region_id and not self.region.code.startswith(self.parent.region_code):
                errors["region"] = "单位所属区域须在上级单位的区域之内"
        if self.pk and self._parent_changed() and (self.children.exists() or self.staff.exists()):
            errors["parent"] = "该单位已有下级单位或成员，不能调整上级单位"
        if errors:
            raise ValidationError(errors)
