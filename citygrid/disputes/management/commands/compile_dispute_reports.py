"""`manage.py compile_dispute_reports --kind daily --date 2026-03-02`: compile one period's
reports by hand (the periodic run is the `compile_dispute_reports` job of `run_periodic`)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from citygrid.disputes import reports
from citygrid.disputes.choices import ReportKind


class Command(BaseCommand):
    help = "生成一期矛盾纠纷日报告或周报告（已上报的报告不会被覆盖）"

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=ReportKind.values, default=ReportKind.DAILY)
        parser.add_argument(
            "--date",
            dest="day",
            help="报告期起始日期 YYYY-MM-DD（周报告为星期一）；默认最近一个已结束的报告期",
        )

    def handle(self, *args, kind, day=None, **options):
        if day:
            try:
                start = date.fromisoformat(day)
            except ValueError as exc:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{day}") from exc
        else:
            start = reports.last_period(kind, timezone.localdate())
        try:
            result = reports.compile_reports(kind, start)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{ReportKind(kind).label} {start:%Y-%m-%d}：新生成 {result.created} 份，"
            f"更新 {result.updated} 份，无变化 {result.unchanged} 份，"
            f"已上报未改动 {result.submitted} 份"
        )
