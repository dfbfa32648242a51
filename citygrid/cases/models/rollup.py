from django.db import models

# The flow counters of `indicators.IndicatorSet` a roll-up row holds, plus the five score counts
# of the satisfaction distribution. `cases/rollup.py` writes them, `indicators` sums them.
COUNTERS = (
    "reported",
    "registered",
    "inspector_registered",
    "dispatched",
    "returned",
    "handled",
    "handled_on_time",
    "handling_seconds",
    "handling_timed",
    "reworked",
    "extended",
    "closed",
    "closed_on_time",
    "evaluated",
    "satisfaction_total",
    "satisfaction_1",
    "satisfaction_2",
    "satisfaction_3",
    "satisfaction_4",
    "satisfaction_5",
)


class Bucket(models.TextChoices):
    DAY = "day", "日"
    MONTH = "month", "月"
    YEAR = "year", "年"


def _counter(label: str) -> models.BigIntegerField:
    return models.BigIntegerField(label, default=0)


class IndicatorRollup(models.Model):
    """The flow counts of one local day, month or year × grid × department (事件指标汇总).

    Not a record anybody edits: derived from `CaseEvent` (docs/indicators.md, "Roll-up"). Kept
    in step by `cases.rollup.count` in the transaction that writes an event, rebuilt from the
    events by `manage.py rebuild_indicators`. Month and year rows exist so a long period reads
    few rows: a year of a whole city is one year row per grid and department. Each span has its
    own table: in one table a year's rows lay scattered among the far more numerous day rows,
    and reading them fetched nearly every page of it (2.5 s for a city's year on PostgreSQL).
    """

    bucket: str
    start = models.DateField("起始日")  # the span's first local day
    region_code = models.CharField("区域代码", max_length=15)
    # The department the events count for (`rollup.DEPARTMENT_KEY`); 0 for none, so the key has
    # no NULL and one unique index serves the upsert on SQLite and PostgreSQL alike.
    department_key = models.BigIntegerField("部门", default=0)
    reported = _counter("上报数")
    registered = _counter("立案数")
    inspector_registered = _counter("监督员上报立案数")
    dispatched = _counter("派遣数")
    returned = _counter("退回数")
    handled = _counter("处置数")
    handled_on_time = _counter("按期处置数")
    handling_seconds = _counter("处置用时合计（秒）")
    handling_timed = _counter("计时处置数")
    reworked = _counter("返工数")
    extended = _counter("延期数")
    closed = _counter("结案数")
    closed_on_time = _counter("按期结案数")
    evaluated = _counter("评价数")
    satisfaction_total = _counter("满意度合计")
    satisfaction_1 = _counter("1分评价数")
    satisfaction_2 = _counter("2分评价数")
    satisfaction_3 = _counter("3分评价数")
    satisfaction_4 = _counter("4分评价数")
    satisfaction_5 = _counter("5分评价数")

    class Meta:
        abstract = True
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.bucket} {self.start} {self.region_code} {self.department_key}"


def _meta(name: str, label: str) -> type:
    return type(
        "Meta",
        (),
        {
            "verbose_name": label,
            "verbose_name_plural": label,
            "default_permissions": (),
            "constraints": [
                models.UniqueConstraint(
                    fields=["start", "region_code", "department_key"], name=f"{name}_key"
                )
            ],
            # A small region over a period: its rows, then the days.
            "indexes": [models.Index(fields=["region_code", "start"], name=f"{name}_region_idx")],
        },
    )


class IndicatorDay(IndicatorRollup):
    bucket = Bucket.DAY
    Meta = _meta("indicator_day", "事件指标日汇总")


class IndicatorMonth(IndicatorRollup):
    bucket = Bucket.MONTH
    Meta = _meta("indicator_month", "事件指标月汇总")


class IndicatorYear(IndicatorRollup):
    bucket = Bucket.YEAR
    Meta = _meta("indicator_year", "事件指标年汇总")


ROLLUPS: dict[str, type[IndicatorRollup]] = {
    Bucket.DAY: IndicatorDay,
    Bucket.MONTH: IndicatorMonth,
    Bucket.YEAR: IndicatorYear,
}
