from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from citygrid.cases.choices import CaseKind, Step, TimeUnit, Urgency
from citygrid.core.models import ChangeLoggedModel, ScopedModel
from citygrid.core.querysets import RestrictedQuerySet


class CaseCategoryQuerySet(RestrictedQuerySet):
    def minor(self) -> "CaseCategoryQuerySet":
        return self.filter(parent__isnull=False)

    def reportable(self) -> "CaseCategoryQuerySet":
        """What a new case may be filed under: active minor classes."""
        return self.minor().filter(active=True)


class CaseCategory(ChangeLoggedModel):
    """A GB/T 30428.2 class of component (部件) or event (事件): major (2 digits) or minor (4).

    A minor class carries its register and closing criteria; its department and time limits
    live in `DispatchRule` and `TimeLimit`, because cities set those themselves.
    """

    kind = models.CharField("类型", max_length=20, choices=CaseKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="大类",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField("代码", max_length=6)
    name = models.CharField("名称", max_length=50)
    register_criteria = models.TextField("立案条件", blank=True)
    closing_criteria = models.TextField("结案条件", blank=True)
    # Citizens do not know class names: "坑" must find 道路破损. A major class's words serve
    # all its minor classes.
    keywords = models.CharField(
        "群众常用说法",
        max_length=200,
        blank=True,
        help_text="用空格分隔，如：坑 坑洼 路面破了；上报时按这些词也能搜到本类",
    )
    active = models.BooleanField("启用", default=True)

    objects = models.Manager.from_queryset(CaseCategoryQuerySet)()

    class Meta:
        verbose_name = "事部件分类"
        verbose_name_plural = "事部件分类"
        ordering = ["kind", "code"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                name="casecategory_unique_code",
                violation_error_message="同类型下分类代码不能重复",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("cases:casecategory", args=[self.pk])

    @property
    def is_minor(self) -> bool:
        return self.parent_id is not None

    def search_terms(self) -> str:
        """What a citizen's words are matched against: the names and the common words of the
        class and of its major class (the parent must be loaded)."""
        parts = [self.name, self.keywords]
        if self.parent_id is not None:
            parts += [self.parent.name, self.parent.keywords]
        return " ".join(" ".join(parts).split())

    def clean(self) -> None:
        code = (self.code or "").strip()
        self.code = code
        if self.parent_id is None:
            if not (code.isdigit() and len(code) == 2):
                raise ValidationError({"code": "大类代码应为2位数字"})
        else:
            if self.parent.parent_id is not None:
                raise ValidationError({"parent": "只支持大类、小类两级"})
            if self.parent.kind != self.kind:
                raise ValidationError({"parent": "小类与大类的类型必须一致"})
            if not (code.isdigit() and len(code) == 4 and code.startswith(self.parent.code)):
                raise ValidationError({"code": f"小类代码应为以 {self.parent.code} 开头的4位数字"})


class Department(ScopedModel):
    """A department that handles cases (城管, 住建, 水务 ...), at the level of its region."""

    name = models.CharField("部门名称", max_length=100)
    code = models.CharField("部门代码", max_length=30, unique=True)
    phone = models.CharField("值班电话", max_length=30, blank=True)
    members = models.ManyToManyField(
        "accounts.User", verbose_name="处置人员", blank=True, related_name="departments"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "处置部门"
        verbose_name_plural = "处置部门"
        ordering = ["region_code", "code"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")

    def __str__(self) -> str:
        return self.name


class DispatchRule(ScopedModel):
    """Which department handles a minor class in a region (and, unless overridden, below it)."""

    category = models.ForeignKey(
        CaseCategory, verbose_name="小类", on_delete=models.CASCADE, related_name="dispatch_rules"
    )
    department = models.ForeignKey(
        Department, verbose_name="责任部门", on_delete=models.PROTECT, related_name="rules"
    )

    class Meta:
        verbose_name = "派遣规则"
        verbose_name_plural = "派遣规则"
        ordering = ["category", "region_code"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "region"],
                name="dispatchrule_unique_category_region",
                violation_error_message="该区域已为此小类配置责任部门",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.department}（{self.region}）"

    def clean(self) -> None:
        if self.category_id and not self.category.is_minor:
            raise ValidationError({"category": "派遣规则须针对小类"})


class TimeLimit(ChangeLoggedModel):
    """How long a step may take for a minor class at an urgency (standards §6.3)."""

    category = models.ForeignKey(
        CaseCategory, verbose_name="小类", on_delete=models.CASCADE, related_name="time_limits"
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    step = models.CharField("环节", max_length=20, choices=Step.choices)
    amount = models.DecimalField("时限", max_digits=6, decimal_places=2)
    unit = models.CharField(
        "单位", max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_HOURS
    )

    class Meta:
        verbose_name = "处置时限"
        verbose_name_plural = "处置时限"
        ordering = ["category", "urgency", "step"]
        default_permissions = ("view", "add", "change", "delete", "import", "export")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "urgency", "step"],
                name="timelimit_unique",
                violation_error_message="该小类此紧急程度的环节时限已存在",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="timelimit_positive",
                violation_error_message="时限必须大于0",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.category} {self.get_urgency_display()} {self.get_step_display()} "
            f"{self.amount:g}{self.get_unit_display()}"
        )
