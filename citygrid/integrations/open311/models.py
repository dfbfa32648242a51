"""Open311 GeoReport v2: the systems allowed to file requests, the extra data a class asks for,
and the link between a filed request and the case it became."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ChangeLoggedModel
from citygrid.core.text import StripControlsMixin


class ApiClient(ChangeLoggedModel):
    """Another city system (a hotline, an app) holding an Open311 `api_key`.

    Only the SHA-256 of the key is stored: the key is random (256 bits), so a fast hash is enough
    and a stolen database does not hand out working keys. The key is shown once, when issued.
    """

    name = models.CharField("系统名称", max_length=100)
    contact = models.CharField("联系人及方式", max_length=200, blank=True)
    key_prefix = models.CharField("密钥前缀", max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField("启用", default=True)
    note = models.TextField("备注", blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)

    changelog_exclude = ("created", "last_updated", "last_used_at", "key_hash")

    class Meta:
        verbose_name = "Open311 接口密钥"
        verbose_name_plural = "Open311 接口密钥"
        ordering = ["name"]
        default_permissions = ("view", "add", "change", "delete")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("open311:apiclient", args=[self.pk])


class ServiceAttribute(ChangeLoggedModel):
    """An extra question a minor class asks when filed through Open311 (service definition)."""

    class DataType(models.TextChoices):
        STRING = "string", "单行文本"
        NUMBER = "number", "数字"
        DATETIME = "datetime", "日期时间"
        TEXT = "text", "多行文本"
        SINGLE = "singlevaluelist", "单选"
        MULTI = "multivaluelist", "多选"

    category = models.ForeignKey(
        "cases.CaseCategory",
        verbose_name="小类",
        on_delete=models.CASCADE,
        related_name="open311_attributes",
    )
    code = models.SlugField("属性代码", max_length=50)
    description = models.CharField("问题", max_length=200)
    datatype = models.CharField(
        "数据类型", max_length=20, choices=DataType.choices, default=DataType.STRING
    )
    datatype_description = models.CharField("填写说明", max_length=200, blank=True)
    required = models.BooleanField("必填", default=False)
    # False: an informational line the client shows but does not ask for.
    variable = models.BooleanField("需填写", default=True)
    order = models.PositiveSmallIntegerField("顺序", default=1)
    # [{"key": "1", "name": "..."}] for the two list types.
    values = models.JSONField("选项", default=list, blank=True)

    class Meta:
        verbose_name = "Open311 服务属性"
        verbose_name_plural = "Open311 服务属性"
        ordering = ["category", "order", "code"]
        default_permissions = ("view", "add", "change", "delete")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"],
                name="open311_attribute_unique_code",
                violation_error_message="该小类下属性代码不能重复",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("open311:serviceattribute", args=[self.pk])

    @property
    def is_list(self) -> bool:
        return self.datatype in (self.DataType.SINGLE, self.DataType.MULTI)


class ServiceRequest(StripControlsMixin, models.Model):
    """The Open311 side of a case filed through the API: who filed it, its token, the media link
    and the answers to the class's attributes (the case itself holds the rest)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name="事件", on_delete=models.CASCADE, related_name="open311"
    )
    client = models.ForeignKey(
        ApiClient, verbose_name="接入系统", on_delete=models.PROTECT, related_name="requests"
    )
    token = models.CharField("令牌", max_length=36, unique=True)
    media_url = models.URLField("图片链接", max_length=500, blank=True)
    email = EncryptedCharField("电子邮箱", blank=True)
    device_id = models.CharField("设备标识", max_length=100, blank=True)
    account_id = models.CharField("账号标识", max_length=100, blank=True)
    attributes = models.JSONField("属性", default=dict, blank=True)
    # Same client, same content within the repeat window → the same case (a retried POST).
    fingerprint = models.CharField(max_length=64, db_index=True)
    created = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "Open311 服务请求"
        verbose_name_plural = "Open311 服务请求"
        ordering = ["-created"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return self.token


def repeat_window_seconds() -> int:
    return settings.OPEN311_REPEAT_WINDOW_SECONDS
