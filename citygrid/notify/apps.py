from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "citygrid.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from citygrid.notify.directives import files

        files.register_files()
