import re

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from citygrid.core.crypto import blind_index
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ChangeLoggedModel
from citygrid.core.querysets import RestrictedManager
from citygrid.core.validators import mask_mobile
from citygrid.notify.choices import SMS_BACKEND_LABELS, SmsStatus

PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
# What a one-time secret (a verification code) becomes in the outbox once its try is over.
SECRET_MASK = "******"


class SmsTemplate(ChangeLoggedModel):
    """A text message the system may send, e.g. the case number sent to a citizen who reported.

    Providers only deliver texts registered with them beforehand, so each template also carries
    the provider's own template id. `{name}` placeholders are filled from the caller's params.
    """

    code = models.CharField("模板标识", max_length=50, unique=True)
    name = models.CharField("名称", max_length=100)
    text = models.CharField("短信内容", max_length=500, help_text="用 {参数名} 表示占位参数")
    aliyun_code = models.CharField("阿里云模板CODE", max_length=50, blank=True)
    tencent_id = models.CharField("腾讯云模板ID", max_length=50, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "短信模板"
        verbose_name_plural = "短信模板"
        ordering = ["code"]
        default_permissions = ("view", "change")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # No page of its own yet: the outbox filtered to this template is what it has sent.
        return f"{reverse('notify:smsmessage_list')}?template={self.pk}"

    def clean(self) -> None:
        rest = PLACEHOLDER_RE.sub("", self.text)
        if "{" in rest or "}" in rest:
            raise ValidationError({"text": "占位参数应写成 {参数名}，只含字母、数字和下划线"})

    def placeholders(self) -> list[str]:
        """Parameter names in order of first use."""
        return list(dict.fromkeys(PLACEHOLDER_RE.findall(self.text)))

    def render(self, params: dict) -> str:
        """The text with every `{name}` replaced; a missing parameter raises ValueError."""
        missing = [name for name in self.placeholders() if name not in params]
        if missing:
            raise ValueError(f"短信模板 {self.code} 缺少参数：{', '.join(missing)}")
        return PLACEHOLDER_RE.sub(lambda m: str(params[m.group(1)]), self.text)


class SmsMessage(models.Model):
    """One text message sent through any backend: the outbox, and the record of what was sent.

    Not a `ChangeLoggedModel` on purpose: this table already is a log, written once and updated
    once by the sender. Change logging would add two `ObjectChange` rows per message (deadline
    sweeps send thousands) and copy the text — verification codes included — into the history.
    So `save()` keeps the phone's blind index itself, the way `ChangeLoggedModel.save` does.

    The phone is personal data: SM4-encrypted, found by blind index, shown masked, and never
    written to logs, errors or the change log in clear. Parameters named in `secret_params`
    (a portal verification code) are kept only until the message is sent or has failed.
    """

    phone = EncryptedCharField("手机号码")
    phone_index = models.CharField("手机号索引", max_length=64, db_index=True, editable=False)
    template = models.ForeignKey(
        SmsTemplate, verbose_name="短信模板", on_delete=models.PROTECT, related_name="messages"
    )
    params = models.JSONField("模板参数", default=dict, blank=True)
    secret_params = models.JSONField(
        "一次性参数", default=list, blank=True, help_text="发送后只保留掩码，如验证码"
    )
    text = models.TextField("短信内容")
    status = models.CharField(
        "状态", max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    backend = models.CharField("发送通道", max_length=50, blank=True)
    provider_message_id = models.CharField("服务商消息编号", max_length=100, blank=True)
    error = models.CharField("错误信息", max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    created = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name="关联对象类型",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.BigIntegerField("关联对象ID", null=True, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    # Scopes the outbox like the record that caused the message; blank: superusers only.
    region_code = models.CharField("区域代码", max_length=15, blank=True, db_index=True)

    objects = RestrictedManager()

    scope_field = "region_code"
    sensitive_fields = {"phone": "mobile"}

    class Meta:
        verbose_name = "短信"
        verbose_name_plural = "短信发件箱"
        ordering = ["-created", "-id"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="smsmessage_related_idx"),
            # A provider's delivery receipt names the message by the provider's own id.
            models.Index(fields=["backend", "provider_message_id"], name="smsmessage_provider_idx"),
        ]

    def __str__(self) -> str:
        return f"短信 #{self.pk} {mask_mobile(self.phone)}"

    def save(self, *args, **kwargs):
        self.phone_index = blind_index(self.phone or "")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("notify:smsmessage", args=[self.pk])

    def get_backend_display(self) -> str:
        return SMS_BACKEND_LABELS.get(self.backend, self.backend)

    def forget_secrets(self) -> None:
        """Mask the one-time parameters in the params and the text: once the try is over the
        code is of use only to someone reading the outbox."""
        for name in self.secret_params:
            value = str(self.params.get(name, ""))
            if value and value != SECRET_MASK:
                self.text = self.text.replace(value, SECRET_MASK)
                self.params[name] = SECRET_MASK

    def masked(self, name: str) -> str:
        # Same contract as ChangeLoggedModel.masked, for the `masked` template filter and tables.
        return mask_mobile(getattr(self, name)) if name in self.sensitive_fields else ""
