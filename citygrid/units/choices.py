from django.db import models


class UnitClass(models.TextChoices):
    """The eleven classes of the register; the map draws one layer per class."""

    RESTAURANT = "restaurant", "餐饮饭店"
    HOTEL = "hotel", "宾馆酒店"
    BAR = "bar", "酒吧"
    INTERNET_CAFE = "internet_cafe", "网吧"
    ENTERTAINMENT = "entertainment", "娱乐场所"
    FOOD = "food", "食品单位"
    GOLD_SILVER = "gold_silver", "金银器单位"
    TRAVEL_AGENCY = "travel_agency", "旅行社及其网点"
    EDUCATION = "education", "教育机构"
    SCENIC_SPOT = "scenic_spot", "景区景点"
    OTHER = "other", "其他单位"


# One colour per class, for the map layers and the list badges (Tabler colour names + hex).
CLASS_COLOURS = {
    UnitClass.RESTAURANT: "#f76707",
    UnitClass.HOTEL: "#206bc4",
    UnitClass.BAR: "#ae3ec9",
    UnitClass.INTERNET_CAFE: "#4263eb",
    UnitClass.ENTERTAINMENT: "#d63939",
    UnitClass.FOOD: "#2fb344",
    UnitClass.GOLD_SILVER: "#f59f00",
    UnitClass.TRAVEL_AGENCY: "#17a2b8",
    UnitClass.EDUCATION: "#0ca678",
    UnitClass.SCENIC_SPOT: "#74b816",
    UnitClass.OTHER: "#6c757d",
}


class UnitStatus(models.TextChoices):
    OPEN = "open", "正常营业"
    SUSPENDED = "suspended", "停业整顿"
    CLOSED = "closed", "已注销"


UNIT_STATUS_BADGE = {
    UnitStatus.OPEN: "green",
    UnitStatus.SUSPENDED: "orange",
    UnitStatus.CLOSED: "secondary",
}


class LicenceKind(models.TextChoices):
    """Kinds of licence a unit holds. A fixed national list the code refers to (特种行业许可证
    is what a special-trade venue must hold), so choices rather than an editable code table."""

    BUSINESS = "business", "营业执照"
    FOOD = "food", "食品经营许可证"
    HYGIENE = "hygiene", "卫生许可证"
    FIRE = "fire", "消防安全检查合格证"
    SPECIAL_TRADE = "special_trade", "特种行业许可证"
    OTHER = "other", "其他"


class LicenceState(models.TextChoices):
    """Where a licence stands against today (list filter, badges)."""

    EXPIRING = "expiring", "即将到期"
    EXPIRED = "expired", "已过期"


LICENCE_STATE_BADGE = {LicenceState.EXPIRING: "orange", LicenceState.EXPIRED: "red"}

# Days before expiry from which a licence counts as "expiring" (warning, filter, badge).
WARN_DAYS = 30
