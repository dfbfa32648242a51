"""Attachments: images are re-encoded like every photo (no EXIF, no GPS), documents are accepted
by extension and by their first bytes, so a renamed executable is not served as a 'PDF'."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from citygrid.core.images import clean_image
from citygrid.core.text import strip_controls

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}
# Extension → the bytes such a file starts with (Office 2007+ files are zip archives).
DOCUMENT_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".txt": None,
}
MAX_FILES = 5
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ACCEPT = ",".join(sorted(IMAGE_EXTENSIONS | set(DOCUMENT_SIGNATURES)))


def display_name(upload: UploadedFile) -> str:
    """The name shown for the file: the user's own, without path or control characters."""
    return strip_controls(Path(upload.name or "附件").name)[-100:] or "附件"


def clean_upload(upload: UploadedFile) -> tuple[UploadedFile, bool]:
    """The file to store and whether it is an image; a Chinese `ValidationError` otherwise."""
    ext = Path(upload.name or "").suffix.lower()
    if ext in IMAGE_EXTENSIONS:
        name = display_name(upload)
        cleaned = clean_image(upload)
        cleaned.display_name = Path(name).stem[:95] + ".jpg"
        return cleaned, True
    if ext not in DOCUMENT_SIGNATURES:
        raise forms.ValidationError(
            f"不支持的文件类型“{ext or '无扩展名'}”：仅支持图片（JPG、PNG、WEBP）和"
            "文档（PDF、Word、Excel、PowerPoint、TXT）",
            code="bad_type",
        )
    limit = min(MAX_DOCUMENT_BYTES, settings.MAX_UPLOAD_BYTES)
    if upload.size > limit:
        raise forms.ValidationError(f"文件过大，最大 {limit // 1024 // 1024} MB", code="too_large")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    signatures = DOCUMENT_SIGNATURES[ext]
    if signatures is None:
        if b"\x00" in upload.read(4096):
            raise forms.ValidationError("文本文件内容无效", code="bad_content")
        upload.seek(0)
    elif not head.startswith(signatures):
        raise forms.ValidationError(f"文件内容与扩展名“{ext}”不符", code="bad_content")
    upload.display_name = display_name(upload)
    return upload, False


def clean_uploads(uploads: list[UploadedFile]) -> list[tuple[UploadedFile, bool]]:
    if len(uploads) > MAX_FILES:
        raise forms.ValidationError(f"每次最多上传 {MAX_FILES} 个附件", code="too_many")
    return [clean_upload(upload) for upload in uploads]
