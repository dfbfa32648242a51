from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core.models import ScopedModel
from citygrid.people.choices import Category
from citygrid.regions.choices import ancestor_codes
from citygrid.regions.models import Region


class CustodianAssignment(ScopedModel):
    """Which department is responsible (归口) for a category in a region and, unless a region
    below says otherwise, everywhere under it — like the dispatch matrix of cases."""

    category = models.CharField("人员类别", max_length=30, choices=Category.choices)
    department = models.ForeignKey(
        "cases.Department", verbose_name="归口部门", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "归口设置"
        verbose_name_plural = "归口设置"
        ordering = ["region_code", "category"]
        default_permissions = ("view", "add", "change", "delete")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "category"],
                name="custodian_unique_category_per_region",
                violation_error_message="该区域已设置此类人员的归口部门",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} → {self.department}"


def custodian_for(category: str, region: Region):
    """The department of the nearest assignment of `category` up the tree from `region`: the
    city sets the default once and a district overrides only what differs."""
    found = (
        CustodianAssignment.objects.filter(
            category=category, region_code__in=ancestor_codes(region.code, inclusive=True)
        )
        .select_related("department")
        .order_by("-region_code")
        .first()
    )
    return found.department if found else None


class CareRecord(ScopedModel):
    """One care or assistance contact (帮教/帮扶): what was done, what came of it, and when the
    next contact is due — a due date that passes without a later record is overdue."""

    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="care_records"
    )
    category = models.CharField("人员类别", max_length=30, choices=Category.choices)
    date = models.DateField("帮扶日期")
    helper = models.CharField("帮扶人", max_length=50)
    measures = models.TextField("帮扶措施")
    result = models.TextField("帮扶效果", blank=True)
    next_date = models.DateField("下次帮扶日期", null=True, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)

    class Meta:
        verbose_name = "帮扶记录"
        verbose_name_plural = "帮扶记录"
        ordering = ["-date", "-id"]
        default_permissions = ("view", "add", "change", "delete", "export")
        indexes = [models.Index(fields=["person", "category", "date"], name="care_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.date:%Y-%m-%d} {self.get_category_display()}"

    def clean(self) -> None:
        if self.date and self.date > date.today():
            raise ValidationError({"date": "帮扶日期不能晚于今天"})
        if self.date and self.next_date and self.next_date <= self.date:
            raise ValidationError({"next_date": "下次帮扶日期应晚于本次"})
        if (self.lng is None) != (self.lat is None):
            raise ValidationError({"lng": "经纬度须同时填写"})

    def derive_region(self) -> None:
        if self.person_id and not self.region_id:
            self.region = self.person.region
