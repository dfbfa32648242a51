from django.db import models


class UnitKind(models.TextChoices):
    COMMAND_CENTRE = "command_centre", "指挥中心"
    SUB_CENTRE = "sub_centre", "分中心"
    DEPARTMENT = "department", "委办局"
    WORK_STATION = "work_station", "社区工作站"
    SERVICE_TEAM = "service_team", "网格服务团队"
    OTHER = "other", "其他"


UNIT_KIND_BADGE = {
    UnitKind.COMMAND_CENTRE: "red",
    UnitKind.SUB_CENTRE: "orange",
    UnitKind.DEPARTMENT: "purple",
    UnitKind.WORK_STATION: "green",
    UnitKind.SERVICE_TEAM: "blue",
    UnitKind.OTHER: "secondary",
}


class StaffSource(models.TextChoices):
    """Where a member comes from: typed in here, or mirrored from a record that already exists."""

    MANUAL = "manual", "机构队伍登记"
    GRID_WORKER = "grid_worker", "网格员队伍"
    DEPARTMENT = "department", "处置部门人员"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class RecordKind(models.TextChoices):
    EDUCATION = "education", "学习经历"
    TRAINING = "training", "培训"
    REWARD = "reward", "奖励"
    PUNISHMENT = "punishment", "惩处"
