from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "citygrid.orgs"
    label = "orgs"
    verbose_name = "机构队伍"
