"""The citizens' portal: phone verification, the block list, held reports and citizens' ratings."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from citygrid.core import files
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ChangeLoggedModel
from citygrid.core.querysets import RestrictedManager
from citygrid.core.text import StripControlsMixin
from citygrid.core.validators import mask_mobile, mask_name, normalize_mobile, validate_mobile


class VerificationCode(models.Model):
    """A 6-digit code sent by SMS to prove a citizen holds a phone before following a case.

    Only the code's hash is kept, with its expiry and the wrong attempts made against it; the
    phone is kept as its blind index only, because nothing ever needs to read it back.
    """

    phone_index = models.CharField("手机号索引", max_length=64, db_index=True)
    code_hash = models.CharField("验证码摘要", max_length=128)
    created = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"验证码 #{self.pk}"


class BlockedPhone(ChangeLoggedModel):
    """A phone number whose reports are held for review instead of becoming cases.

    City-wide (no region): abuse comes from a number, not from a place. Every change is logged.
    """

    phone = EncryptedCharField("手机号码", validators=[validate_mobile])
    phone_index = models.CharField("手机号索引", max_length=64, unique=True, editable=False)
    reason = models.CharField("原因", max_length=200)

    sensitive_fields = {"phone": "mobile"}
    changelog_exclude = ("created", "last_updated", "phone_index")

    class Meta:
        verbose_name = "屏蔽手机号"
        verbose_name_plural = "屏蔽手机号"
        ordering = ["-created"]
        default_permissions = ("view", "add", "delete")

    def __str__(self) -> str:
        return mask_mobile(self.phone)

    def get_absolute_url(self) -> str:
        return reverse("portal:blockedphone_list")

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from citygrid.core.crypto import blind_index

        try:
            self.phone = normalize_mobile(self.phone or "")
        except ValueError:
            return  # the field validator reports it
        self.phone_index = blind_index(self.phone)
        if BlockedPhone.objects.filter(phone_index=self.phone_index).exclude(pk=self.pk).exists():
            raise ValidationError({"phone": "该手机号码已在屏蔽名单中"})


class BlockedIp(ChangeLoggedModel):
    """A client address whose reports are held for review instead of becoming cases."""

    ip = models.GenericIPAddressField(
        "IP地址", unique=True, error_messages={"unique": "该地址已在屏蔽名单中"}
    )
    reason = models.CharField("原因", max_length=200)

    class Meta:
        verbose_name = "屏蔽IP"
        verbose_name_plural = "屏蔽IP"
        ordering = ["-created"]
        default_permissions = ("view", "add", "delete")

    def __str__(self) -> str:
        return self.ip

    def get_absolute_url(self) -> str:
        return reverse("portal:blockedip_list")


class HeldReport(StripControlsMixin, models.Model):
    """A citizen's report kept aside (over the rate limit, or from a blocked phone or address).

    Never rejected: staff release it, which files the case through the one intake service, or
    discard it with a reason. Scoped by the grid found at the reported position (blank when
    none: superusers only).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        RELEASED = "released", "已放行"
        DISCARDED = "discarded", "已丢弃"

    class Reason(models.TextChoices):
        RATE_PHONE = "rate_phone", "同一手机号上报过于频繁"
        RATE_IP = "rate_ip", "同一IP上报过于频繁"
        BLOCKED_PHONE = "blocked_phone", "手机号在屏蔽名单"
        BLOCKED_IP = "blocked_ip", "IP在屏蔽名单"

    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.CharField("暂存原因", max_length=20, choices=Reason.choices)
    category = models.ForeignKey(
        "cases.CaseCategory", verbose_name="小类", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("问题描述")
    address = models.CharField("地址", max_length=200, blank=True)
    lng = models.FloatField("经度")
    lat = models.FloatField("纬度")
    reporter_name = EncryptedCharField("上报人", max_length=50, blank=True)
    reporter_phone = EncryptedCharField("上报人电话", blank=True)
    anonymous = models.BooleanField("匿名上报", default=False)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    region_code = models.CharField("区域代码", max_length=15, blank=True, db_index=True)
    created = models.DateTimeField("上报时间", default=timezone.now, db_index=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        verbose_name="审核人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.CharField("审核意见", max_length=200, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="放行后事件",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = RestrictedManager()

    scope_field = "region_code"

    class Meta:
        verbose_name = "待审核群众上报"
        verbose_name_plural = "待审核群众上报"
        ordering = ["-created", "-id"]
        default_permissions = ("view", "change")

    def __str__(self) -> str:
        return f"群众上报 #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("portal:heldreport", args=[self.pk])

    @property
    def masked_name(self) -> str:
        return mask_name(self.reporter_name)

    @property
    def masked_phone(self) -> str:
        return mask_mobile(self.reporter_phone)


class HeldReportPhoto(models.Model):
    """A photo of a held report, already checked and re-encoded like every case photo."""

    report = models.ForeignKey(
        HeldReport, verbose_name="群众上报", on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(
        "照片",
        upload_to=files.UnguessableName("portal/held"),
        storage=files.PrivateStorage("held-reports"),
    )

    class Meta:
        verbose_name = "群众上报照片"
        verbose_name_plural = "群众上报照片"
        default_permissions = ()

    def __str__(self) -> str:
        return self.image.name


# Staff reviewing held reports see their photos; citizens never reach them here.
files.register(
    "held-reports",
    ("image",),
    lambda user: HeldReportPhoto.objects.filter(
        report__in=HeldReport.objects.restrict(user, "view")
    ),
)


class CitizenRating(StripControlsMixin, models.Model):
    """The reporting citizen's rating of a closed case, once (also written to the case as its
    `evaluate` event, where the indicators read satisfaction)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name="事件", on_delete=models.CASCADE, related_name="citizen_rating"
    )
    satisfaction = models.PositiveSmallIntegerField("满意度")
    comment = models.CharField("评价内容", max_length=500, blank=True)
    created = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "群众评价"
        verbose_name_plural = "群众评价"
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="citizenrating_satisfaction_range",
                violation_error_message="满意度应为 1 至 5 分",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} 评价 {self.satisfaction} 分"
