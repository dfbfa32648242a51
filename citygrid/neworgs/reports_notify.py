"""The 催报 message: its SMS template (seeded by migration 0002) and who receives it."""

from citygrid.accounts.models import User
from citygrid.core import records
from citygrid.notify.models import SmsTemplate

SMS_TEMPLATE = (
    "monthly_report_reminder",
    "两新组织月报催报",
    "{region}{month}两新组织月报尚未上报，请尽快审核上报。",
)


def seed_sms_template(template_model=None) -> None:
    """Idempotent, like `notify.seeds`: a template an administrator edited is left alone. The
    migration passes its historical model; the reminder calls it without, because a database
    flushed by browser tests keeps only the notify app's own seeds."""
    model = template_model or SmsTemplate
    code, name, text = SMS_TEMPLATE
    if model.objects.filter(code=code).exists():
        return
    if template_model is None:
        records.save_record(SmsTemplate(code=code, name=name, text=text), actor=None)
    else:
        template_model.objects.create(code=code, name=name, text=text)


def submitters(region):
    """Active users whose territory is exactly this region and who may generate and submit its
    report: the people a reminder is for (not everyone above who could also see it)."""
    return User.objects.filter(
        is_active=True,
        roles__permissions__content_type__app_label="neworgs",
        roles__permissions__codename="submit_monthlyreport",
        scope_regions=region,
    ).distinct()
