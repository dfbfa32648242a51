"""Persons per region and map category, counted ahead of time for the 人员地图 (数据更新于 …)."""

from django.db import models

from citygrid.core.querysets import RestrictedManager


class GridPopulation(models.Model):
    """How many persons live (status "在住") in one region in one map category, as counted at
    `computed_at`: what the population map draws when zoomed out.

    `region_code` is the persons' own region code — a grid's, or a coarser region's for
    persons not yet placed in a grid — so a row is inside a user's territory exactly when every
    person it counts is (`citygrid.people.population_map` explains why this makes the counts
    the same as a live count through `restrict`). Written only by that module's `refresh`.
    """

    region_code = models.CharField("区域代码", max_length=15)
    category = models.CharField("人员类别", max_length=30)
    count = models.PositiveIntegerField("人数")
    computed_at = models.DateTimeField("计算时间")

    objects = RestrictedManager()
    scope_field = "region_code"

    class Meta:
        verbose_name = "网格人口汇总"
        verbose_name_plural = "网格人口汇总"
        default_permissions = ()
        constraints = [
            # Also the index of every map read: one category, a range or list of codes.
            models.UniqueConstraint(
                fields=["category", "region_code"],
                name="grid_population_unique",
                violation_error_message="同一区域同一人员类别只有一条汇总",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_code} {self.category}: {self.count}"
