"""A citizen following their case sees its published photos (the report's and the result's),
through the portal session only: never another case's, never the inspectors'."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import CaseAttachment
from citygrid.notify.models import SmsMessage
from citygrid.portal.tests.conftest import jpeg

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def reported(category, phone=PHONE):
    return report_case(
        Report(
            category=category,
            description="路灯不亮",
            lng=120.005,
            lat=30.005,
            reporter_phone=phone,
            photos=[jpeg()],
            channel="web",
        )
    )


def follow(client, case, phone=PHONE):
    data = {"number": case.number, "phone": phone}
    client.post(reverse("portal:follow"), {**data, "action": "send"})
    code = SmsMessage.objects.filter(template__code="verify_code").latest("id").params["code"]
    client.post(reverse("portal:follow"), {**data, "code": code, "action": "verify"})


def verify_photo(case) -> CaseAttachment:
    photo = CaseAttachment(case=case, stage=CaseAttachment.Stage.VERIFY)
    photo.image.save("v.jpg", ContentFile(jpeg().read()), save=False)
    photo.thumbnail.save("v.jpg", ContentFile(jpeg().read()), save=False)
    photo.save()
    return photo


def url(case, photo, thumbnail=False) -> str:
    name = "portal:case_photo_thumbnail" if thumbnail else "portal:case_photo"
    return reverse(name, args=[case.pk, photo.pk])


def test_followed_case_shows_its_published_photos(client, category):
    case = reported(category)
    before = case.attachments.get()
    inspector = verify_photo(case)
    follow(client, case)
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert url(case, before) in page and url(case, before, thumbnail=True) in page
    assert url(case, inspector) not in page
    response = client.get(url(case, before))
    assert b"".join(response.streaming_content) == before.image.open("rb").read()
    thumb = client.get(url(case, before, thumbnail=True))
    assert b"".join(thumb.streaming_content) == before.thumbnail.open("rb").read()
    assert client.get(url(case, inspector)).status_code == 404
    # The staff URL of the same file wants a staff login, whatever the portal session holds.
    assert client.get(before.image.url).status_code == 302


def test_no_photo_without_the_case_grant(client, category):
    mine, other = reported(category), reported(category, phone="13912345678")
    theirs = other.attachments.get()
    assert client.get(url(other, theirs)).status_code == 404
    follow(client, mine)
    assert client.get(url(other, theirs)).status_code == 404
    # Another case's photo through my granted case number is not found either.
    assert client.get(url(mine, theirs)).status_code == 404
