"""The SMS templates every deployment starts with; administrators add provider ids later."""

from citygrid.core import records
from citygrid.notify.models import SmsTemplate

# code, name, text. Other apps send these by code, with exactly these parameters.
SMS_TEMPLATES: tuple[tuple[str, str, str], ...] = (
    (
        "verify_code",
        "验证码",
        "您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。",
    ),
    (
        "case_received",
        "问题已收到通知",
        "您反映的问题已收到，案件编号{number}，我们将尽快受理。查询进度：{url}",
    ),
    (
        "case_number",
        "问题受理通知",
        "您反映的问题已受理，案件编号{number}。可凭此编号查询办理进度。",
    ),
    (
        "case_rejected",
        "问题不予受理通知",
        "您反映的问题（案件编号{number}）经核实不予受理。查询进度：{url}",
    ),
    (
        "case_closed",
        "问题办结通知",
        "您反映的问题（案件编号{number}）已办结，欢迎对办理结果进行评价：{url}",
    ),
    (
        "deadline_warning",
        "案件即将超期提醒",
        "案件{number}将于{deadline}到期，请抓紧办理。",
    ),
    (
        "deadline_overdue",
        "案件超期提醒",
        "案件{number}已超过办理时限（{deadline}），请尽快办理并反馈。",
    ),
    (
        "supervision_order",
        "督办通知",
        "您收到一份{level}督办单，案件编号{number}，请于{deadline}前办结并反馈。",
    ),
    (
        "dispute_urgent",
        "紧急矛盾纠纷上报",
        "紧急矛盾纠纷{number}（{summary}），发生地：{region}，请立即关注并部署化解。",
    ),
    (
        "mediation_notice",
        "调解通知",
        "您涉及的纠纷（编号{number}）定于{time}在{place}进行调解，请准时参加。",
    ),
    (
        "directive",
        "指令下达通知",
        "{sender}向您下达指令《{title}》，请于{deadline}前签收并反馈。",
    ),
    (
        "directive_reminder",
        "指令催办提醒",
        "指令《{title}》将于{deadline}到期，您尚未完成签收或反馈，请尽快办理。",
    ),
    (
        "monthly_report_reminder",
        "两新组织月报催报",
        "{region}{month}两新组织月报尚未上报，请尽快审核上报。",
    ),
)


def seed_sms_templates(template_model=None) -> None:
    """Idempotent: existing templates (perhaps edited by administrators) are left alone.

    The data migration passes its historical model (written directly: it has no change log);
    everyone else calls it without, and the new templates go through the one write path.
    """
    model = template_model or SmsTemplate
    existing = set(model.objects.values_list("code", flat=True))
    for code, name, text in SMS_TEMPLATES:
        if code in existing:
            continue
        if template_model is None:
            records.save_record(SmsTemplate(code=code, name=name, text=text), actor=None)
        else:
            template_model.objects.create(code=code, name=name, text=text)
