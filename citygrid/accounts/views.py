from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from citygrid.accounts import filtersets, forms, tables
from citygrid.accounts.models import Role, User
from citygrid.accounts.security import login_attempt
from citygrid.core.errors import ActionError
from citygrid.core.forms import StyledFormMixin
from citygrid.core.middleware import client_ip
from citygrid.core.views import generic


def login_view(request):
    form = forms.LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        try:
            user = login_attempt(
                request,
                form.cleaned_data["username"],
                form.cleaned_data["password"],
                client_ip(request),
            )
        except ActionError as exc:
            form.add_error(None, exc.message)
        else:
            if user is None:
                form.add_error(None, "用户名或密码错误")
            else:
                login(request, user)
                if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                    next_url = ""
                return redirect(next_url or "home")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


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
        perms = obj.permissions.select_related("content_type")
        return {"permission_labels": [forms.permission_label(p) for p in perms]}


class RoleEditView(generic.ObjectEditView):
    model = Role
    form = forms.RoleForm


class RoleDeleteView(generic.ObjectDeleteView):
    model = Role
