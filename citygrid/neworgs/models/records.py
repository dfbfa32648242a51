"""The paper trail of a new organisation: its working rules (工作制度) and dated work records
(工作情况). Both are parts of the organisation: scoped and audited through it, their files
private (served only by `core.views.files` to whoever may see the organisation's records)."""

from django.core.validators import FileExtensionValidator
from django.db import models

from citygrid.core import files
from citygrid.core.models import ChangeLoggedModel
from citygrid.neworgs.models.organisations import NewOrganisation, own_organisations_queryset

DOCUMENT_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png"]


class OrganisationPart(ChangeLoggedModel):
    """A record belonging to one organisation: its scope and history follow the organisation."""

    organisation = models.ForeignKey(
        NewOrganisation, verbose_name="所属组织", on_delete=models.CASCADE, related_name="+"
    )

    objects = models.Manager.from_queryset(own_organisations_queryset("organisation"))()

    scope_field = "organisation__region_code"
    changelog_permission = "neworgs.view_neworganisation"

    class Meta:
        abstract = True


class Regulation(OrganisationPart):
    """工作制度（制度和措施）: a rule the organisation adopted, with its document."""

    organisation = models.ForeignKey(
        NewOrganisation,
        verbose_name="所属组织",
        on_delete=models.CASCADE,
        related_name="regulations",
    )
    title = models.CharField("制度名称", max_length=100)
    adopted_on = models.DateField("制定日期", null=True, blank=True)
    document = models.FileField(
        "制度文件",
        upload_to=files.UnguessableName("neworgs/regulations"),
        storage=files.PrivateStorage("neworgs-regulations"),
        blank=True,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text="PDF、Word、Excel 或图片",
    )

    class Meta:
        verbose_name = "工作制度"
        verbose_name_plural = "工作制度"
        ordering = ["organisation", "-adopted_on", "pk"]
        default_permissions = ("view", "add", "change", "delete")

    def __str__(self) -> str:
        return self.title


class WorkRecord(OrganisationPart):
    """工作情况: one dated entry of what the organisation did (a meeting, an activity)."""

    organisation = models.ForeignKey(
        NewOrganisation,
        verbose_name="所属组织",
        on_delete=models.CASCADE,
        related_name="work_records",
    )
    date = models.DateField("日期")
    content = models.TextField("工作内容")
    attachment = models.FileField(
        "附件",
        upload_to=files.UnguessableName("neworgs/work-records"),
        storage=files.PrivateStorage("neworgs-work-records"),
        blank=True,
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text="PDF、Word、Excel 或图片，可不填",
    )

    class Meta:
        verbose_name = "工作情况"
        verbose_name_plural = "工作情况"
        ordering = ["organisation", "-date", "-pk"]
        default_permissions = ("view", "add", "change", "delete")
        indexes = [models.Index(fields=["organisation", "date"], name="neworg_workrecord_date_idx")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.content[:20]}"


# Files go to whoever may view the record holding them (an organisation account: its own only).
files.register(
    "neworgs-regulations", ("document",), lambda user: Regulation.objects.restrict(user, "view")
)
files.register(
    "neworgs-work-records",
    ("attachment",),
    lambda user: WorkRecord.objects.restrict(user, "view"),
)
