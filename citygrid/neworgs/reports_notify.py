"""The 催报 message: its SMS template and who receives it."""

from citygrid.accounts.models import User

SMS_TEMPLATE = "monthly_report_reminder"  # seeded with the others (`notify/seeds.py`)


def submitters(region):
    """Active users whose territory is exactly this region and who may generate and submit its
    report: the people a reminder is for (not everyone above who could also see it)."""
    return User.objects.filter(
        is_active=True,
        roles__permissions__content_type__app_label="neworgs",
        roles__permissions__codename="submit_monthlyreport",
        scope_regions=region,
    ).distinct()
