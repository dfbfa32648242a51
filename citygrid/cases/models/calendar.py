from django.db import models

from citygrid.core.models import ChangeLoggedModel


class CalendarDay(ChangeLoggedModel):
    """An exception to the Monday–Friday week: a public holiday, or a make-up working day (调休).

    Deadlines in working hours are computed on this calendar, so it must be kept for every year.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="节假日不勾选；周末调休上班勾选")
    note = models.CharField("说明", max_length=50, blank=True)

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["date"]
        default_permissions = ("view", "add", "change", "delete")

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.note}".strip()


class WorkingPeriod(ChangeLoggedModel):
    """Office hours of a working day, e.g. 08:30–12:00 and 13:30–17:30."""

    start = models.TimeField("开始")
    end = models.TimeField("结束")

    class Meta:
        verbose_name = "工作时段"
        verbose_name_plural = "工作时段"
        ordering = ["start"]
        default_permissions = ("view", "add", "change", "delete")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="workingperiod_end_after_start",
                violation_error_message="结束时间必须晚于开始时间",
            )
        ]

    def __str__(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"
