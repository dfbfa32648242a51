from django.db import models


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", "户籍人口"
    FLOATING = "floating", "流动人口"
    OVERSEAS = "overseas", "境外人员"


class PersonStatus(models.TextChoices):
    PRESENT = "present", "在住"
    MOVED_OUT = "moved_out", "已迁出"
    DECEASED = "deceased", "已死亡"


class FloatDirection(models.TextChoices):
    INFLOW = "inflow", "流入"
    OUTFLOW = "outflow", "流出"


class Relation(models.TextChoices):
    """How a person is tied to a house (人房关联)."""

    OWNER = "owner", "产权人"
    TENANT = "tenant", "租客"
    HOUSEHOLD_MEMBER = "household_member", "家庭成员"
    OTHER = "other", "其他"


class Category(models.TextChoices):
    """Every managed category a person may belong to; the key of custodian assignments.

    The first six are special groups (特殊人群), the next four vulnerable groups (弱势群体).
    """

    RELEASED_PRISONER = "released_prisoner", "刑满释放人员"
    COMMUNITY_CORRECTIONS = "community_corrections", "社区矫正人员"
    MENTAL_DISORDER = "mental_disorder", "严重精神障碍患者"
    DRUG_USER = "drug_user", "吸毒人员"
    AIDS_RISK = "aids_risk", "艾滋病危险人员"
    PETITIONER = "petitioner", "长期上访人员"
    EMPTY_NEST_ELDER = "empty_nest_elder", "空巢/独居老人"
    LEFT_BEHIND_CHILD = "left_behind_child", "留守儿童"
    DISABLED = "disabled", "残疾人"
    LOW_INCOME = "low_income", "低保/困难人员"
    KEY_PERSON = "key_person", "重点人员"
    AT_RISK_YOUTH = "at_risk_youth", "重点青少年"


SPECIAL_GROUP_KINDS = [
    Category.RELEASED_PRISONER,
    Category.COMMUNITY_CORRECTIONS,
    Category.MENTAL_DISORDER,
    Category.DRUG_USER,
    Category.AIDS_RISK,
    Category.PETITIONER,
]
VULNERABLE_GROUP_KINDS = [
    Category.EMPTY_NEST_ELDER,
    Category.LEFT_BEHIND_CHILD,
    Category.DISABLED,
    Category.LOW_INCOME,
]


class RiskLevel(models.IntegerChoices):
    """Risk assessment of a severe mental disorder patient (national guideline, 0–5)."""

    L0 = 0, "0级"
    L1 = 1, "1级"
    L2 = 2, "2级"
    L3 = 3, "3级"
    L4 = 4, "4级"
    L5 = 5, "5级"


class DisabilityGrade(models.IntegerChoices):
    G1 = 1, "一级"
    G2 = 2, "二级"
    G3 = 3, "三级"
    G4 = 4, "四级"
