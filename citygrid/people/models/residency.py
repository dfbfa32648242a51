from django.core.exceptions import ValidationError
from django.db import models

from citygrid.core.fields import DictField
from citygrid.core.models import ScopedModel
from citygrid.people.choices import Relation


class Residency(ScopedModel):
    """A person living in a house (人房关联), from a date and, once they left, to a date.

    A person has at most one current home; moving ends it and starts another, so history stays.
    The record sits in the house's grid.
    """

    person = models.ForeignKey(
        "people.Person", verbose_name="人员", on_delete=models.CASCADE, related_name="residencies"
    )
    house = models.ForeignKey(
        "housing.House", verbose_name="房屋", on_delete=models.PROTECT, related_name="residencies"
    )
    relation = models.CharField(
        "人房关系", max_length=20, choices=Relation.choices, default=Relation.HOUSEHOLD_MEMBER
    )
    relation_to_head = DictField("与户主关系", dictionary="relation_to_head")
    rental = models.ForeignKey(
        "housing.Rental",
        verbose_name="出租登记",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tenancies",
    )
    started_on = models.DateField("入住日期")
    ended_on = models.DateField("离开日期", null=True, blank=True)

    class Meta:
        verbose_name = "人房关联"
        verbose_name_plural = "人房关联"
        ordering = ["-started_on", "-id"]
        default_permissions = ("view", "add", "change", "delete")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(ended_on__isnull=True),
                name="residency_one_current_home",
                violation_error_message="该人员已有现住房屋，请先办理迁出",
            )
        ]
        indexes = [models.Index(fields=["house", "ended_on"], name="residency_house_idx")]

    def __str__(self) -> str:
        return f"{self.person} @ {self.house}"

    def clean(self) -> None:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "离开日期不能早于入住日期"})
        if self.rental_id and self.house_id and self.rental.house_id != self.house_id:
            raise ValidationError({"rental": "出租登记不属于该房屋"})

    def derive_region(self) -> None:
        if self.house_id:
            self.region = self.house.region

    @property
    def current(self) -> bool:
        return self.ended_on is None
