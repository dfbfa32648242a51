from django import forms
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password

from citygrid.accounts.models import Role, User
from citygrid.core.forms import ScopedModelForm, SensitiveInputsMixin, StyledFormMixin
from citygrid.regions.widgets import use_picker


def project_app_labels() -> list[str]:
    """Roles grant the permissions of every CityGrid app, so a new app needs no list edit."""
    return [app.label for app in apps.get_app_configs() if app.name.startswith("citygrid.")]


class LoginForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)


class RoleForm(ScopedModelForm):
    class Meta:
        model = Role
        fields = ["name", "description", "view_sensitive", "start_page", "permissions"]
        widgets = {"permissions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].queryset = (
            Permission.objects.filter(content_type__app_label__in=project_app_labels())
            .select_related("content_type")
            .order_by("content_type__app_label", "content_type__model", "codename")
        )
        self.fields["permissions"].label_from_instance = permission_label
        self.fields["permissions"].widget.attrs["class"] = "form-check-input"


ACTION_LABELS = {
    "view": "查看",
    "add": "新增",
    "change": "修改",
    "delete": "删除",
    "import": "导入",
    "export": "导出",
    "confirm": "核实申报",
}


def permission_label(perm: Permission) -> str:
    model = perm.content_type.model_class()
    noun = model._meta.verbose_name if model else perm.content_type.model
    verb, _, rest = perm.codename.partition("_")
    # Only "<verb>_<model>" is the generic action; "view_reporter_case" has its own name.
    if rest == perm.content_type.model and verb in ACTION_LABELS:
        return f"{noun}：{ACTION_LABELS[verb]}"
    return f"{noun}：{perm.name}"


class UserForm(SensitiveInputsMixin, ScopedModelForm):
    password = forms.CharField(
        label="密码",
        widget=forms.PasswordInput,
        required=False,
        help_text="新建用户时必填；修改时留空表示不变",
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "is_active", "roles", "scope_regions"]
        widgets = {"roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_regions"].queryset = self.fields["scope_regions"].queryset.order_by(
            "code"
        )
        self.fields["scope_regions"].help_text = "用户只能查看和处理这些区域及其下级的数据"
        use_picker(self.fields["scope_regions"])
        self.fields["roles"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if not self.instance.pk and not password:
            self.add_error("password", "新建用户必须设置密码")
        if password:
            # The form copies fields onto the instance only after clean(); the validators
            # must see the username being saved.
            self.instance.username = cleaned.get("username", self.instance.username)
            try:
                validate_password(password, self.instance)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
            else:
                # On the instance before the save, so the edit view's one write stores it.
                self.instance.set_password(password)
        return cleaned


class OtpForm(StyledFormMixin, forms.Form):
    code = forms.RegexField(
        label="动态验证码",
        regex=r"^\d{6}$",
        error_messages={"invalid": "请输入 6 位数字"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
