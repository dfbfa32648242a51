from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "citygrid.portal"
    label = "portal"
    verbose_name = "群众门户"
