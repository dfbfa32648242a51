"""Case photos: validated and EXIF-stripped like every upload, with a thumbnail for timelines."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from citygrid.cases.models import CaseAttachment
from citygrid.cases.workflow import CASES
from citygrid.core.errors import ActionError
from citygrid.core.images import clean_image

THUMBNAIL_SIZE = (320, 320)


def validate_photos(uploads) -> list:
    """Clean every upload first, so a bad file fails the action before anything is written."""
    try:
        return [clean_image(upload) for upload in uploads]
    except ValidationError as exc:
        raise ActionError("invalid_photo", "；".join(exc.messages), 400) from exc


def attach(case, event, cleaned: list, stage: str, user) -> list[CaseAttachment]:
    saved = []
    for photo in cleaned:
        photo.seek(0)
        image = Image.open(photo)
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
        photo.seek(0)
        uploader = user if user is not None and user.is_authenticated else None
        attachment = CaseAttachment(case=case, event=event, stage=stage, uploaded_by=uploader)
        attachment.image.save(photo.name, photo, save=False)
        attachment.thumbnail.save(photo.name, ContentFile(out.getvalue()), save=False)
        attachment.save()
        saved.append(attachment)
    return saved


def set_private(attachment: CaseAttachment, private: bool, *, actor) -> bool:
    """Keep a photo off the citizens' progress page (faces, number plates, a home's inside) or
    put it back. The case's history records who did it; False when nothing changed."""
    if attachment.private == private:
        return False
    with transaction.atomic():
        attachment.private = private
        attachment.save(update_fields=["private"])
        case = attachment.case
        CASES.record_event(
            case,
            "photo_private" if private else "photo_public",
            actor=actor,
            time=timezone.now(),
            from_state=case.state,
            photo_id=attachment.pk,
        )
    return True
