"""Uploaded files are private: no public path, scope-checked downloads, unguessable names, import
files outside any served root, and the web server's sendfile headers in production."""

import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token

from citygrid.cases.intake import Report, report_case
from citygrid.cases.testing import street_order_class
from citygrid.core.models import ImportJob
from citygrid.portal.services import hold_report

pytestmark = pytest.mark.django_db

ORIGINAL = "张三身份证.jpg"


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.CITYGRID_PRIVATE_ROOT = tmp_path / "private"
    settings.CITYGRID_SENDFILE = ""
    return settings.CITYGRID_PRIVATE_ROOT


def jpeg(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def photo(tree):
    """A case photo in county A (grid A1), reported with a telling original file name."""
    case = report_case(
        Report(
            category=street_order_class("0508", "占道施工"),
            description="路灯不亮",
            lng=120.005,
            lat=30.005,
            photos=[jpeg(ORIGINAL)],
            channel="web",
        )
    )
    return case.attachments.get()


@pytest.fixture
def job(make_user):
    job = ImportJob(user=make_user(), resource="people.person", file_name="people.csv")
    job.file.save("people.csv", ContentFile("身份证号,姓名\n".encode()), save=False)
    job.save()
    return job


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_stored_names_are_unguessable_and_say_nothing_of_the_upload(photo, job):
    for name in (photo.image.name, photo.thumbnail.name, job.file.name):
        stem = Path(name).stem
        assert len(stem) == 32 and int(stem, 16) >= 0, name
        assert "张三" not in name and "people" not in name
    assert photo.image.name.startswith("cases/") and photo.image.name.endswith(".jpg")
    assert job.file.name.startswith("imports/") and job.file.name.endswith(".csv")


def test_import_files_live_outside_the_media_root(job, settings, private_root):
    path = Path(job.file.path)
    assert path.is_relative_to(private_root)
    assert not path.is_relative_to(settings.MEDIA_ROOT)


def test_media_path_is_not_served(client, photo, settings):
    path = Path(photo.image.path).relative_to(settings.MEDIA_ROOT).as_posix()
    assert client.get(f"/media/{path}").status_code == 404


def test_anonymous_gets_no_file(client, photo, job):
    for url in (photo.image.url, photo.thumbnail.url, job.file.url):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("accounts:login"))


def test_case_photo_follows_the_case_scope(client, photo, make_user, tree):
    client.force_login(make_user(perms=["cases.view_case"], scope=[tree.county_a]))
    response = client.get(photo.image.url)
    assert response.status_code == 200
    assert body(response) == photo.image.open("rb").read()
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert body(client.get(photo.thumbnail.url)) == photo.thumbnail.open("rb").read()

    client.force_login(make_user(perms=["cases.view_case"], scope=[tree.county_b]))
    assert client.get(photo.image.url).status_code == 404
    assert client.get(photo.thumbnail.url).status_code == 404
    client.force_login(make_user(perms=[], scope=[tree.city]))
    assert client.get(photo.image.url).status_code == 404


def test_held_report_and_grid_photos_follow_their_record_scope(client, make_user, tree):
    held = hold_report(
        Report(
            category=street_order_class("0508", "占道施工"),
            description="路灯不亮",
            lng=120.005,
            lat=30.005,
            photos=[jpeg(ORIGINAL)],
        ),
        reason="blocked_phone",
    ).photos.get()
    grid = tree.grid_a1
    grid.photo.save(ORIGINAL, ContentFile(jpeg(ORIGINAL).read()), save=False)
    grid.save()
    staff = ["portal.view_heldreport", "regions.view_region"]
    client.force_login(make_user(perms=staff, scope=[tree.county_a]))
    assert body(client.get(held.image.url)) == held.image.open("rb").read()
    assert body(client.get(grid.photo.url)) == grid.photo.open("rb").read()
    client.force_login(make_user(perms=staff, scope=[tree.county_b]))
    assert client.get(held.image.url).status_code == 404
    assert client.get(grid.photo.url).status_code == 404


def test_import_file_only_for_its_uploader(client, job, make_user):
    client.force_login(job.user)
    assert body(client.get(job.file.url)) == "身份证号,姓名\n".encode()
    client.force_login(make_user(superuser=True))
    assert client.get(job.file.url).status_code == 404


def test_unknown_kind_or_name_is_404(client, photo, make_user):
    client.force_login(make_user(superuser=True))
    name = photo.image.name
    assert client.get(reverse("file", args=["imports", name])).status_code == 404
    assert client.get(reverse("file", args=["nope", name])).status_code == 404
    assert client.get(reverse("file", args=["cases", "../settings.py"])).status_code == 404


def test_api_token_opens_the_photo_url(client, photo, make_user, tree):
    user = make_user(perms=["cases.view_case"], scope=[tree.city])
    token = Token.objects.create(user=user)
    response = client.get(photo.image.url, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert client.get(photo.image.url, HTTP_AUTHORIZATION="Token wrong").status_code == 302


def test_nginx_mode_hands_the_path_to_x_accel_redirect(client, photo, job, settings):
    settings.CITYGRID_SENDFILE = "nginx"
    settings.CITYGRID_SENDFILE_PREFIX = "/protected/"
    client.force_login(job.user)
    response = client.get(job.file.url)
    assert response["X-Accel-Redirect"] == f"/protected/private/{job.file.name}"
    assert response.content == b""
    job.user.is_superuser = True
    job.user.save()
    response = client.get(photo.image.url)
    assert response["X-Accel-Redirect"] == f"/protected/media/{photo.image.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == b""


def test_apache_mode_hands_the_path_to_x_sendfile(client, job, settings):
    settings.CITYGRID_SENDFILE = "apache"
    client.force_login(job.user)
    response = client.get(job.file.url)
    assert response["X-Sendfile"] == job.file.path
    assert response.content == b""
