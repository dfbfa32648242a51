from django.db import models


class Occupancy(models.TextChoices):
    """How a house is used now; the building table colours its cell by this."""

    OWNER_OCCUPIED = "owner_occupied", "自住"
    RENTED = "rented", "出租"
    VACANT = "vacant", "空置"
    OTHER = "other", "其他"


OCCUPANCY_BADGE = {
    Occupancy.OWNER_OCCUPIED: "green",
    Occupancy.RENTED: "blue",
    Occupancy.VACANT: "secondary",
    Occupancy.OTHER: "azure",
}


class RentalStatus(models.TextChoices):
    PENDING = "pending", "待核实"  # registered online by the landlord; a grid worker confirms
    ACTIVE = "active", "在租"
    ENDED = "ended", "已退租"
    REJECTED = "rejected", "已驳回"


RENTAL_STATUS_BADGE = {
    RentalStatus.PENDING: "orange",
    RentalStatus.ACTIVE: "green",
    RentalStatus.ENDED: "secondary",
    RentalStatus.REJECTED: "red",
}


class RentalSource(models.TextChoices):
    STAFF = "staff", "工作人员登记"
    ONLINE = "online", "房东网上申报"


class CheckResult(models.TextChoices):
    PASSED = "passed", "无隐患"
    RECTIFY = "rectify", "限期整改"
    RECTIFIED = "rectified", "已整改"
