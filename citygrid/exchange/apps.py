from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "citygrid.exchange"
    label = "exchange"
    verbose_name = "在线交流"
