"""The roll-up of disputes (docs/disputes-statistics.md: why, and what each column counts).

A row counts the disputes of one registration bucket (`day`: a local date of `reported_at`, or
the first of a month), one region, category, level and outcome ("" while open). Three spans:
- BASE: a day and the dispute's own `region_code` (its grid), computed from the disputes;
- DAY: a day and any region (`depth` = its code's length), summed from the BASE rows within it;
- MONTH: a month and any region, summed from its DAY rows.
A query for a region and period reads DAY and MONTH rows at two depths only (the region's own
and its children's), so its cost follows regions × buckets, not disputes. Rows are derived:
`rollup.refresh` recomputes them, never increments them, so a missed refresh is repaired by the
next one (or by `rollup.rebuild`).
"""

from django.db import models

BASE, DAY, MONTH = "b", "d", "m"


class DisputeRollup(models.Model):
    span = models.CharField("汇总粒度", max_length=1)
    day = models.DateField("登记日期")
    region_code = models.CharField("区划代码", max_length=20)
    depth = models.PositiveSmallIntegerField("代码长度")
    category = models.CharField("纠纷类别", max_length=20)
    level = models.CharField("纠纷等级", max_length=20)
    outcome = models.CharField("调处结果", max_length=20, blank=True)
    total = models.PositiveIntegerField("纠纷数", default=0)
    # Concluded (outcome set) with a referral deadline: the on-time rate's denominator.
    due = models.PositiveIntegerField("有办结时限的办结数", default=0)
    on_time = models.PositiveIntegerField("按期办结数", default=0)
    petition = models.PositiveIntegerField("越级上访风险数", default=0)
    mass_incident = models.PositiveIntegerField("群体性事件风险数", default=0)
    repeat = models.PositiveIntegerField("重复纠纷数", default=0)

    class Meta:
        verbose_name = "纠纷统计汇总"
        verbose_name_plural = "纠纷统计汇总"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["span", "day", "region_code", "category", "level", "outcome"],
                name="disputerollup_unique_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["span", "depth", "region_code", "day"], name="disputerollup_cut_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.span} {self.day:%Y-%m-%d} {self.region_code} {self.category}"
