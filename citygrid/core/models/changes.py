from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from citygrid.core.querysets import RestrictedManager
from citygrid.core.text import StripControlsMixin


class ObjectChange(models.Model):
    """One create/update/delete of a record: who, when, in which request, before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "新建"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="object_changes",
    )
    # Kept so the history still names the actor after the account is deleted.
    user_name = models.CharField("操作人账号", max_length=150, blank=True)
    request_id = models.UUIDField("请求编号", db_index=True)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.BigIntegerField("对象ID")
    object_repr = models.CharField("对象", max_length=200)
    # Copied from the record so history is scoped like the record itself.
    region_code = models.CharField("区域代码", max_length=15, blank=True, db_index=True)
    prechange_data = models.JSONField("修改前", null=True, blank=True)
    postchange_data = models.JSONField("修改后", null=True, blank=True)

    objects = RestrictedManager()

    scope_field = "region_code"

    class Meta:
        verbose_name = "变更记录"
        verbose_name_plural = "变更记录"
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="objchange_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value differs."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AccessLog(StripControlsMixin, models.Model):
    """A read or export of personal data: who, when, what, from where, and why.

    Holds no plaintext sensitive values itself.
    """

    class Action(models.TextChoices):
        VIEW_SENSITIVE = "view_sensitive", "查看明文"
        EXPORT = "export", "导出"
        IMPORT = "import", "导入"
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_logs",
    )
    user_name = models.CharField("账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name="对象类型",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.BigIntegerField("对象ID", null=True, blank=True)
    record_count = models.PositiveIntegerField("记录数", default=0)
    detail = models.CharField("说明", max_length=500, blank=True)
    reason = models.CharField("事由", max_length=200, blank=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = "访问日志"
        verbose_name_plural = "访问日志"
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.user_name} {self.get_action_display()} {self.detail}"
