"""Uploaded photos are evidence: verify they are real images, re-encode, drop EXIF (GPS!)."""

import io
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 40_000_000


def clean_image(upload) -> SimpleUploadedFile:
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            f"图片过大，最大 {settings.MAX_UPLOAD_BYTES // 1024 // 1024} MB", code="too_large"
        )
    try:
        upload.seek(0)
        # Pillow refuses past twice its own limit while reading the header (a few kB of PNG can
        # claim gigapixels); below that, MAX_PIXELS refuses before anything is decoded.
        image = Image.open(upload)
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ALLOWED_FORMATS:
            raise forms.ValidationError("仅支持 JPEG、PNG、WEBP 图片", code="bad_format")
        if image.width * image.height > MAX_PIXELS:
            raise forms.ValidationError("图片像素过大", code="too_many_pixels")
        image = ImageOps.exif_transpose(image)
    except Image.DecompressionBombError as exc:
        raise forms.ValidationError("图片像素过大", code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise forms.ValidationError("文件不是有效的图片", code="not_image") from exc
    out = io.BytesIO()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # Re-encoding writes no EXIF: the phone's GPS and device data never reach storage.
    image.save(out, format="JPEG", quality=85, optimize=True)
    name = Path(upload.name).stem[:50] + ".jpg"
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
