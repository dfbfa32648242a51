"""Population statistics computed ahead of time (数据更新于 HH:MM), one row per region.

A snapshot holds aggregate counts only — never a name, a number or an address — but its
special-group counts are still need-to-know: the statistics views drop the categories the reader
may not view before showing a snapshot (`citygrid.people.stats.snapshots.read`).
"""

from django.db import models


class PopulationSnapshot(models.Model):
    """The figures of the 人口统计 page for one region subtree, as computed at `computed_at`.

    `data` is written and read only by `citygrid.people.stats.snapshots` (its `VERSION` key says
    which layout; a snapshot of another layout counts as missing).
    """

    region = models.OneToOneField(
        "regions.Region",
        verbose_name="区域",
        on_delete=models.CASCADE,
        related_name="+",
    )
    data = models.JSONField("统计数据", default=dict)
    computed_at = models.DateTimeField("计算时间")
    seconds = models.FloatField("计算用时（秒）", default=0)

    class Meta:
        verbose_name = "人口统计快照"
        verbose_name_plural = "人口统计快照"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.region_id} @ {self.computed_at:%Y-%m-%d %H:%M}"
