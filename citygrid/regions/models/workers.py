import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core.crypto import blind_index
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ScopedModel
from citygrid.core.validators import normalize_mobile, validate_mobile
from citygrid.regions.choices import RegionLevel, WorkerRole


class GridWorker(ScopedModel):
    """A member of a grid's service team: 网格员, 巡查员 or 监督员.

    The phone is personal data: stored SM4-encrypted with a blind index for look-up, shown masked.
    """

    name = models.CharField("姓名", max_length=50)
    role = models.CharField(
        "岗位", max_length=20, choices=WorkerRole.choices, default=WorkerRole.GRID_WORKER
    )
    phone = EncryptedCharField("手机号码", validators=[validate_mobile])
    phone_index = models.CharField("手机号索引", max_length=64, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="系统账号",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_posts",
    )
    active = models.BooleanField("在岗", default=True)
    note = models.CharField("备注", max_length=200, blank=True)

    sensitive_fields = {"phone": "mobile"}
    changelog_exclude = ("created", "last_updated", "phone_index")

    class Meta:
        verbose_name = "网格员"
        verbose_name_plural = "网格员"
        ordering = ["region_code", "role", "name"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "phone_index"],
                name="gridworker_unique_phone_per_grid",
                violation_error_message="该网格已登记此手机号码的网格员",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    def clean(self) -> None:
        if self.region_id and self.region.level != RegionLevel.GRID:
            raise ValidationError({"region": "网格员只能配置到网格"})
        if self.phone:
            # A bad number stays as typed; the field validator reports it in Chinese.
            with contextlib.suppress(ValueError):
                self.phone = normalize_mobile(self.phone)
        self.phone_index = blind_index(self.phone or "")
