"""The 人民调解协议书 as a PDF, generated the first time someone opens it after the dispute was
concluded with an agreement, and kept (`document`). Not at the conclusion itself: rendering
takes most of a second (the CJK font is loaded and subset each time), which would hold the
dispute's row lock that long and make a demo city of hundreds of agreements minutes slower;
most agreements are opened once, to print.

The wording lives in the template ``templates/disputes/agreement_pdf.html`` (a city edits it
there; the layout tags are listed in ``core/pdf.py``); this module only gathers what it shows.
The file holds the parties' full names, ID numbers and phones: it is stored in private storage
and served only through the scope-checked file view to people who may view the dispute.
"""

import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from citygrid.core import pdf, records
from citygrid.disputes.choices import PartyKind
from citygrid.disputes.models import Dispute, MediationAgreement

TEMPLATE = "disputes/agreement_pdf.html"
# How a session's 调解员 field separates several names.
NAME_SEPARATORS = re.compile(r"[、，,；;\s]+")


def mediators(dispute: Dispute) -> list[str]:
    """Every mediator of the dispute's sessions once, in the order they first mediated."""
    names: dict[str, None] = {}
    for field in dispute.sessions.order_by("starts_at", "id").values_list("mediators", flat=True):
        names.update(dict.fromkeys(n for n in NAME_SEPARATORS.split(field) if n))
    return list(names)


def paragraphs(text: str) -> list[str]:
    """One printed paragraph per line typed (each indented as in a Chinese document)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def context(dispute: Dispute, terms: str) -> dict:
    # The dispute was scope-checked by the action that concludes it; its parties are its own.
    parties = [
        {
            "side": party.get_side_display(),
            "name": party.name,
            "kind": party.get_kind_display(),
            "id_label": (
                "统一社会信用代码" if party.kind == PartyKind.ORGANISATION else "身份证件号码"
            ),
            "id_number": party.id_number,
            "address": party.address,
            "phone": party.phone,
        }
        for party in dispute.parties.order_by("side", "id")
    ]
    return {
        "dispute": dispute,
        "parties": parties,
        "facts": paragraphs(dispute.description),
        "terms": paragraphs(terms),
        "mediators": mediators(dispute),
        "copies": len(parties) + 1,
        "date": timezone.localdate(dispute.concluded_at or timezone.now()),
    }


def render(dispute: Dispute, terms: str) -> ContentFile:
    """The agreement's PDF, dated the day the dispute was concluded."""
    document = pdf.render_template(
        TEMPLATE, context(dispute, terms), title=f"人民调解协议书 {dispute.number}"
    )
    return ContentFile(document, name=f"{dispute.number}.pdf")


def document(agreement: MediationAgreement, *, actor) -> FieldFile:
    """The agreement's PDF, rendered and stored on first request (locked, so two people
    opening it at once render it once). A missing font is refused (`pdf_font_missing`) and
    nothing is stored. The caller has checked that `actor` may view the dispute."""
    if agreement.document:
        return agreement.document
    with transaction.atomic():
        locked = (
            MediationAgreement.objects.select_for_update(of=("self",))
            .select_related("dispute")
            .get(pk=agreement.pk)
        )
        if not locked.document:
            locked.document.save("agreement.pdf", render(locked.dispute, locked.terms), save=False)
            records.save_record(locked, actor=actor, update_fields=["document"])
    return locked.document
