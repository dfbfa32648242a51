"""Seed the working calendar: office hours and the 2026 public holidays of mainland China.

The 2026 dates follow 国务院办公厅关于2026年部分节假日安排的通知 (dated 2025-11-04) as reprinted by
Xinhua. They MUST be checked against the official notice on www.gov.cn before go-live;
administrators can edit them (and must add every following year) under 工作日历 in the UI.
Holidays that fall on a weekend need no row (weekends are non-working anyway) but are listed for
readability.
"""

from datetime import date, time

from django.db import migrations

PERIODS = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))]


def _days(first: date, last: date):
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        yield date.fromordinal(ordinal)


HOLIDAYS_2026 = [
    # 元旦: 1月1日（周四）至3日（周六）放假调休，共3天。
    (date(2026, 1, 1), date(2026, 1, 3), "元旦"),
    # 春节: 2月15日（腊月二十八、周日）至23日（正月初七、周一）放假调休，共9天。
    (date(2026, 2, 15), date(2026, 2, 23), "春节"),
    # 清明节: 4月4日（周六）至6日（周一）放假，共3天。
    (date(2026, 4, 4), date(2026, 4, 6), "清明节"),
    # 劳动节: 5月1日（周五）至5日（周二）放假调休，共5天。
    (date(2026, 5, 1), date(2026, 5, 5), "劳动节"),
    # 端午节: 6月19日（周五）至21日（周日）放假，共3天。
    (date(2026, 6, 19), date(2026, 6, 21), "端午节"),
    # 中秋节: 9月25日（周五）至27日（周日）放假，共3天。
    (date(2026, 9, 25), date(2026, 9, 27), "中秋节"),
    # 国庆节: 10月1日（周四）至7日（周三）放假调休，共7天。
    (date(2026, 10, 1), date(2026, 10, 7), "国庆节"),
]

MAKEUP_WORKDAYS_2026 = [
    (date(2026, 1, 4), "元旦调休上班"),  # 周日
    (date(2026, 2, 14), "春节调休上班"),  # 周六
    (date(2026, 2, 28), "春节调休上班"),  # 周六
    (date(2026, 5, 9), "劳动节调休上班"),  # 周六
    (date(2026, 9, 20), "国庆节调休上班"),  # 周日
    (date(2026, 10, 10), "国庆节调休上班"),  # 周六
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("cases", "CalendarDay")
    WorkingPeriod = apps.get_model("cases", "WorkingPeriod")
    VersionStamp = apps.get_model("core", "VersionStamp")

    if not WorkingPeriod.objects.exists():
        for start, end in PERIODS:
            WorkingPeriod.objects.get_or_create(start=start, end=end)
    for first, last, note in HOLIDAYS_2026:
        for day in _days(first, last):
            CalendarDay.objects.update_or_create(
                date=day, defaults={"is_workday": False, "note": note}
            )
    for day, note in MAKEUP_WORKDAYS_2026:
        CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": True, "note": note})

    # Historical models send no signal the app listens to: bump the cache stamp by hand so that
    # running processes reload the calendar (citygrid.cases.calendar.current_calendar).
    stamp, _ = VersionStamp.objects.get_or_create(name="work_calendar", defaults={"value": 0})
    stamp.value += 1
    stamp.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
