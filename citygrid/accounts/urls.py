from django.urls import path

from citygrid.accounts import views
from citygrid.accounts.models import Role, User
from citygrid.core.routing import model_urls

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_code_view, name="login_code"),
    path("2fa/", views.two_factor_view, name="two_factor"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    *model_urls(
        "users",
        User,
        list=views.UserListView.as_view(),
        add=views.UserEditView.as_view(),
        detail=views.UserView.as_view(),
        edit=views.UserEditView.as_view(),
        changelog=views.UserChangeLogView.as_view(),
    ),
    *model_urls(
        "roles",
        Role,
        list=views.RoleListView.as_view(),
        add=views.RoleEditView.as_view(),
        detail=views.RoleView.as_view(),
        edit=views.RoleEditView.as_view(),
        delete=views.RoleDeleteView.as_view(),
        changelog=views.RoleChangeLogView.as_view(),
    ),
]
