from django.apps import AppConfig


class WechatConfig(AppConfig):
    name = "citygrid.integrations.wechat"
    label = "wechat"
    verbose_name = "微信公众号"
