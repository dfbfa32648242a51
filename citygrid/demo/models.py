"""How far a demo population has been written, so an interrupted `seed_demo` can continue."""

from django.db import models


class SeedProgress(models.Model):
    """One row per demo city whose people are being generated, committed with every batch.

    `state` is the generator's state after the last committed batch (random generator, ID-number
    sequences, counters; see `demo/resume.py`): continuing from it writes exactly what an
    uninterrupted run would have written, without duplicating a committed batch.
    """

    city_code = models.CharField("城市代码", max_length=12, unique=True)
    seed = models.BigIntegerField("随机种子")
    target = models.PositiveIntegerField("目标人口数")
    today = models.DateField("生成基准日")
    next_grid = models.PositiveIntegerField("下一个网格序号", default=0)
    persons = models.PositiveIntegerField("已提交人口数", default=0)
    state = models.BinaryField("生成器状态", null=True)
    finished = models.BooleanField("已完成", default=False)
    updated = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "演示人口生成进度"
        verbose_name_plural = "演示人口生成进度"

    def __str__(self) -> str:
        return f"{self.city_code}: {self.persons}/{self.target}"
