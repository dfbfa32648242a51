"""A citizen following their case sees its published photos (the report's and the result's,
once the case is closed, unless marked private), through the portal session only: never another
case's, never the inspectors'."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case, CaseAttachment
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


def add_photo(case, stage=CaseAttachment.Stage.VERIFY, private=False) -> CaseAttachment:
    photo = CaseAttachment(case=case, stage=stage, private=private)
    photo.image.save("v.jpg", ContentFile(jpeg().read()), save=False)
    photo.thumbnail.save("v.jpg", ContentFile(jpeg().read()), save=False)
    photo.save()
    return photo


def url(case, photo, thumbnail=False) -> str:
    name = "portal:case_photo_thumbnail" if thumbnail else "portal:case_photo"
    return reverse(name, args=[case.pk, photo.pk])


def close(case) -> None:
    # The workflow's own path to closure is tested with the actions; here only the state counts.
    Case.objects.filter(pk=case.pk).update(state="closed")


def test_an_open_case_shows_no_photos_yet(client, category):
    case = reported(category)
    before = case.attachments.get()
    follow(client, case)
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert url(case, before) not in page
    assert "办结后可在此查看处置前后的现场照片" in page
    assert client.get(url(case, before)).status_code == 404


def test_followed_case_shows_its_published_photos(client, category):
    case = reported(category)
    before = case.attachments.get()
    after = add_photo(case, CaseAttachment.Stage.AFTER)
    hidden = add_photo(case, CaseAttachment.Stage.AFTER, private=True)
    inspector = add_photo(case)
    close(case)
    follow(client, case)
    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "处置前后对比" in page
    assert url(case, before) in page and url(case, before, thumbnail=True) in page
    assert url(case, after, thumbnail=True) in page
    assert page.index(url(case, before, thumbnail=True)) < page.index("处置后")
    assert page.index("处置后") < page.index(url(case, after, thumbnail=True))
    assert url(case, inspector) not in page and url(case, hidden) not in page
    assert client.get(url(case, hidden)).status_code == 404
    response = client.get(url(case, before))
    assert b"".join(response.streaming_content) == before.image.open("rb").read()
    thumb = client.get(url(case, before, thumbnail=True))
    assert b"".join(thumb.streaming_content) == before.thumbnail.open("rb").read()
    assert client.get(url(case, inspector)).status_code == 404
    # The staff URL of the same file wants a staff login, whatever the portal session holds.
    assert client.get(before.image.url).status_code == 302


def test_no_photo_without_the_case_grant(client, category):
    mine, other = reported(category), reported(category, phone="13912345678")
    close(mine)
    close(other)
    theirs = other.attachments.get()
    assert client.get(url(other, theirs)).status_code == 404
    follow(client, mine)
    assert client.get(url(other, theirs)).status_code == 404
    # Another case's photo through my granted case number is not found either.
    assert client.get(url(mine, theirs)).status_code == 404
