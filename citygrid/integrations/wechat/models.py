from django.db import models

from citygrid.core.fields import EncryptedCharField
from citygrid.core.text import StripControlsMixin


class Conversation(StripControlsMixin, models.Model):
    """A citizen's report in progress on the official account: one row per openid.

    The pieces (location, description, photos, phone) arrive as separate messages in any order;
    the row is deleted once the case is created, on 取消 or unsubscribe, and restarted when it has
    been idle longer than `WECHAT_REPORT_WINDOW_MINUTES`.
    """

    openid = models.CharField("用户标识", max_length=64, unique=True)
    first_msg_id = models.CharField("首条消息编号", max_length=64, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    address = models.CharField("位置说明", max_length=200, blank=True)
    description = models.TextField("问题描述", blank=True)
    # [{"url": PicUrl, "media_id": MediaId}] in arrival order; downloaded when the case is made.
    photos = models.JSONField("照片", default=list, blank=True)
    phone = EncryptedCharField("手机号码", blank=True)
    awaiting_category = models.BooleanField("待选择类别", default=False)
    updated_at = models.DateTimeField("最后消息时间")

    class Meta:
        verbose_name = "微信上报会话"
        verbose_name_plural = "微信上报会话"
        default_permissions = ()

    def __str__(self) -> str:
        return f"会话 {self.pk}"


class ProcessedMessage(models.Model):
    """A message already answered, kept so WeChat's retries get the same reply and no new work.

    `key` is the MsgId, or for events (which have none) a hash of openid, CreateTime and event.
    """

    key = models.CharField("消息键", max_length=64, unique=True)
    reply = models.TextField("回复内容", blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "已处理微信消息"
        verbose_name_plural = "已处理微信消息"
        default_permissions = ()

    def __str__(self) -> str:
        return self.key
