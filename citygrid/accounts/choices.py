from django.db import models


class StartPage(models.TextChoices):
    AUTO = "", "按权限自动选择"
    WORKBENCH = "workbench", "工作台"
    MOBILE = "mobile", "网格员手机端（电脑登录时进入工作台）"
    DESK = "desk", "我的待办（调度台、部门待办）"
    DASHBOARD = "dashboard", "事件指标（领导看板）"
