from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "citygrid.accounts"
    label = "accounts"
    verbose_name = "用户与权限"

    def ready(self) -> None:
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from citygrid.accounts.middleware import start_session
        from citygrid.accounts.security import record_last_login

        # Django's own handler saves the user directly, which change-logged users refuse.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(start_session, dispatch_uid="citygrid_start_session")
