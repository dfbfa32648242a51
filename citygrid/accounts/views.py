from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from citygrid.accounts import filtersets, forms, tables, twofactor
from citygrid.accounts.choices import StartPage
from citygrid.accounts.models import Role, User
from citygrid.accounts.security import (
    LoginLocked,
    LoginThrottled,
    login_attempt,
    login_succeeded,
)
from citygrid.accounts.start import derived_start_page, start_url
from citygrid.core.errors import ActionError
from citygrid.core.forms import StyledFormMixin
from citygrid.core.middleware import client_ip
from citygrid.core.views import generic


def login_view(request):
    form = forms.LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            user = login_attempt(
                request, form.cleaned_data["username"], form.cleaned_data["password"], ip
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            if user is None:
                form.add_error(None, "用户名或密码错误")
            else:
                if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                    next_url = ""
                # `next` first: a link followed before login must still lead where it pointed.
                next_url = next_url or start_url(request, user)
                if twofactor.confirmed_device(user):
                    twofactor.hold(request, user, next_url)
                    return redirect("accounts:login_code")
                if twofactor.enrolment_required(user):
                    twofactor.hold(request, user, next_url)
                    return redirect("accounts:two_factor")
                login(request, user)
                login_succeeded(user, ip)
                return redirect(next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def login_code_view(request):
    """The second login step: the held user enters the code their device shows."""
    user = twofactor.held_user(request)
    if user is None or not twofactor.confirmed_device(user):
        return redirect("accounts:login")
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        try:
            twofactor.verify_login_code(user, form.cleaned_data["code"], ip)
        except (LoginLocked, LoginThrottled) as exc:
            # Start again from the password once the lock is over.
            twofactor.release(request)
            form.add_error(None, exc.message)
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(twofactor.finish_login(request, user, ip))
    return render(request, "accounts/login_code.html", {"form": form})


def two_factor_view(request):
    """One's own TOTP device: enrol (scan, confirm with a code) or remove (with a code). An
    administrator held at login for want of a device enrols here and is then logged in."""
    held = None if request.user.is_authenticated else twofactor.held_user(request)
    if held is not None and not twofactor.enrolment_required(held):
        held = None
    if held is None and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = held or request.user
    device = twofactor.confirmed_device(user)
    form = forms.OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if device is None:
                twofactor.confirm_device(twofactor.unconfirmed_device(user), code)
            else:
                twofactor.remove_device(user, code)
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            if held is not None:
                return redirect(twofactor.finish_login(request, user, client_ip(request)))
            messages.success(request, "已解除双因素认证" if device else "已启用双因素认证")
            return redirect("accounts:two_factor")
    context = {"form": form, "device": device, "held": held is not None}
    if device is None:
        pending = twofactor.unconfirmed_device(user)
        context |= {"qr": twofactor.qr_svg(pending), "secret": twofactor.secret_text(pending)}
    return render(request, "accounts/two_factor.html", context)


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    def set_password_and_save(self, user, password_field_name="new_password1", commit=True):
        user.set_password(self.cleaned_data[password_field_name])
        if commit:
            user.save_password()
        return user


class PasswordChangeView(auth_views.PasswordChangeView):
    """Everyone changes their own password (the demo's published one first of all)."""

    form_class = StyledPasswordChangeForm
    template_name = "accounts/password_change.html"

    def get_success_url(self):
        return reverse("home")

    def form_valid(self, form):
        messages.success(self.request, "密码已修改")
        return super().form_valid(form)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "已退出登录")
    return redirect("accounts:login")


class UserListView(generic.ObjectListView):
    model = User
    queryset = User.objects.prefetch_related("roles", "scope_regions")
    table = tables.UserTable
    filterset = filtersets.UserFilterSet


class UserView(generic.ObjectView):
    model = User
    template_name = "accounts/user.html"


class UserEditView(generic.ObjectEditView):
    model = User
    form = forms.UserForm


class UserChangeLogView(generic.ObjectChangeLogView):
    model = User


class RoleChangeLogView(generic.ObjectChangeLogView):
    model = Role


class RoleListView(generic.ObjectListView):
    model = Role
    table = tables.RoleTable
    filterset = filtersets.RoleFilterSet


class RoleView(generic.ObjectView):
    model = Role
    template_name = "accounts/role.html"

    def extra_context(self, obj):
        perms = list(obj.permissions.select_related("content_type"))
        names = {f"{p.content_type.app_label}.{p.codename}" for p in perms}
        return {
            "permission_labels": [forms.permission_label(p) for p in perms],
            "derived_start_page": StartPage(derived_start_page(names)).label,
        }


class RoleEditView(generic.ObjectEditView):
    model = Role
    form = forms.RoleForm


class RoleDeleteView(generic.ObjectDeleteView):
    model = Role
