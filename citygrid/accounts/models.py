from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import AbstractUser, Permission, UserManager
from django.db import models, transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token

from citygrid.accounts.choices import StartPage
from citygrid.core import records
from citygrid.core.fields import EncryptedCharField
from citygrid.core.models import ChangeLoggedModel
from citygrid.core.querysets import RestrictedQuerySet


class Role(ChangeLoggedModel):
    """A named set of (object type, action) permissions, e.g. 区县调度员.

    Where a user may use them comes from the user's scope regions, not from the role, so one
    role serves every district.
    """

    name = models.CharField("角色名称", max_length=50, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    permissions = models.ManyToManyField(
        Permission, verbose_name="权限", blank=True, related_name="roles"
    )
    # May see ID and phone numbers in clear (each view is recorded in the access log).
    view_sensitive = models.BooleanField("可查看敏感信息明文", default=False)
    # Where its users land after login (`accounts/start.py`); empty: derived from permissions.
    start_page = models.CharField(
        "登录后首页",
        max_length=20,
        choices=StartPage.choices,
        default=StartPage.AUTO,
        blank=True,
        help_text="网格员在手机上登录进入手机端，在电脑上登录进入工作台（附手机端入口）",
    )

    objects = models.Manager.from_queryset(RestrictedQuerySet)()

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["name"]
        default_permissions = ("view", "add", "change", "delete")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:role", args=[self.pk])


class ScopedUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(ChangeLoggedModel, AbstractUser):
    """A staff account. Its roles say what it may do; its scope regions say where.

    Change-logged: who granted which role or territory to whom is an audit question (等保).
    """

    full_name = models.CharField("姓名", max_length=50, blank=True)
    # Read in clear by code (deadline SMS), masked on screen and in the change log.
    phone = EncryptedCharField("联系电话", max_length=20, blank=True)
    roles = models.ManyToManyField(Role, verbose_name="角色", blank=True, related_name="users")
    scope_regions = models.ManyToManyField(
        "regions.Region", verbose_name="管辖区域", blank=True, related_name="scoped_users"
    )
    failed_logins = models.PositiveIntegerField("连续登录失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)

    objects = ScopedUserManager()

    sensitive_fields = {"phone": "mobile"}
    changelog_exclude = (
        "created",
        "last_updated",
        "password",
        "last_login",
        "failed_logins",
        "locked_until",
    )

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        # set_password() since the last save; a new account has no tokens yet.
        changed = self._password is not None and not self._state.adding
        super().save(*args, **kwargs)
        if changed:
            self.revoke_tokens()

    def revoke_tokens(self) -> None:
        """End the account's API tokens. Called on every password change: a token handed out
        under the old password must not outlive it (sessions end by Django's session hash)."""
        Token.objects.filter(user=self).delete()

    def check_password(self, raw_password: str) -> bool:
        def upgrade(raw: str) -> None:
            self.set_password(raw)
            self._password = None  # a hash upgrade is not a password change
            self.save_password()

        return check_password(raw_password, self.password, upgrade)

    def save_password(self) -> None:
        """Write the password hash alone. It is kept out of the change log (history must not
        hold hashes), so it is bookkeeping, not a full save on the write path."""
        raw, self._password = self._password, None
        with transaction.atomic():
            records.touch(User.objects.filter(pk=self.pk), password=self.password)
            if raw is not None:
                self.revoke_tokens()
        if raw is not None:
            password_validation.password_changed(raw, self)

    def scope_codes(self) -> list[str]:
        """Region codes this user may work in, minimal (a code inside another is dropped)."""
        if not hasattr(self, "_scope_codes"):
            codes = sorted(self.scope_regions.values_list("code", flat=True))
            minimal: list[str] = []
            for code in codes:
                if not any(code.startswith(kept) for kept in minimal):
                    minimal.append(code)
            self._scope_codes = minimal
        return self._scope_codes

    def covers(self, code: str) -> bool:
        """Whether a region code lies inside this user's territory (the scope rule in one place)."""
        return self.is_superuser or any(code.startswith(c) for c in self.scope_codes())

    def can_view_sensitive(self) -> bool:
        if self.is_superuser:
            return True
        return self.roles.filter(view_sensitive=True).exists()
