"""Online exchange (在线交流): discussion boards per region for organisation heads and staff."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "citygrid.exchange"
    label = "exchange"
    verbose_name = "在线交流"

    def ready(self) -> None:
        from citygrid.core import search
        from citygrid.exchange.models import Topic

        search.register(Topic, fields=("title", "body"), label="交流主题")
