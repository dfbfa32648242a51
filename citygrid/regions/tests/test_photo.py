"""Grid photos are evidence: real images only, re-encoded without EXIF (no GPS leaks)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (30.0, 15.0, 0.0)}  # GPSInfo: latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def post_photo(client, grid, upload):
    return client.post(
        f"/territory/regions/{grid.pk}/edit/",
        {
            "parent": grid.parent_id,
            "level": "grid",
            "code": grid.code,
            "name": grid.name,
            "kind": "basic",
            "photo": upload,
        },
    )


def test_photo_is_stored_without_exif(client, tree, make_user):
    client.force_login(make_user(superuser=True))
    raw = jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif()
    response = post_photo(client, tree.grid_a1, SimpleUploadedFile("p.jpg", raw, "image/jpeg"))
    assert response.status_code == 302
    grid = Region.objects.get(pk=tree.grid_a1.pk)
    with grid.photo.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
    assert stored.format == "JPEG" and stored.size == (64, 48)
    assert not stored.getexif()


def test_a_file_that_is_not_an_image_is_refused(client, tree, make_user):
    client.force_login(make_user(superuser=True))
    fake = SimpleUploadedFile("p.jpg", b"<?php echo 1; ?>", "image/jpeg")
    response = post_photo(client, tree.grid_a1, fake)
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors
    assert not Region.objects.get(pk=tree.grid_a1.pk).photo
