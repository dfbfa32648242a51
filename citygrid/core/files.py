"""Uploaded files are private: stored under unguessable names, served only by `core.views.files`
after the owning record passed the user's scope, never by a public `/media/` path.

Each kind of file has its own storage (`PrivateStorage("cases")`), whose `url()` points at the
protected view, so every `{{ photo.image.url }}` and API field links there without knowing it.
The app owning the model registers who may download its files (`register`); an unregistered
kind is served to nobody.
"""

import mimetypes
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="citygrid.core.files.PrivateStorage")
class LocalPrivateStorage(FileSystemStorage):
    """Files of one kind under MEDIA_ROOT, or under CITYGRID_PRIVATE_ROOT when `private` (import
    files hold personal data in bulk: they must never sit below a path a web server exposes)."""

    def __init__(self, kind: str, *, private: bool = False):
        self.kind = kind
        self.private = private
        super().__init__()

    @property
    def root_name(self) -> str:
        # The name of this storage's root in the X-Accel-Redirect path (see `respond`).
        return "private" if self.private else "media"

    @cached_property
    def base_location(self):
        return settings.CITYGRID_PRIVATE_ROOT if self.private else settings.MEDIA_ROOT

    @cached_property
    def location(self):
        return os.path.abspath(self.base_location)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "CITYGRID_PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str) -> str:
        return reverse("file", kwargs={"kind": self.kind, "name": name})


if settings.CITYGRID_MEDIA_STORAGE == "s3":
    # Several machines share uploads in a bucket (django-storages is installed only there).
    from citygrid.core.objectstore import PrivateS3Storage as PrivateStorage
else:
    PrivateStorage = LocalPrivateStorage


@contextmanager
def local_file(storage: Storage, name: str) -> Iterator[str]:
    """A path to write the file `name` of `storage` to, for writers that need a path (openpyxl):
    on disk the file itself; in a bucket a temporary file, uploaded when the block ends. A
    failed write leaves no file behind."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path is None:
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, os.path.basename(name))
            yield path
            with open(path, "rb") as written:
                storage.save(name, File(written))
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        yield path
    except Exception:
        if os.path.exists(path):
            os.remove(path)
        raise


@deconstructible
class UnguessableName:
    """`upload_to` giving `<prefix>/YYYY/MM/<uuid4 hex><ext>`: the stored name says nothing of the
    original file (a citizen's name in "张三身份证.jpg") and cannot be guessed or enumerated."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        ext = Path(filename).suffix.lower()
        if not ext[1:].isalnum() or len(ext) > 6:
            ext = ""
        return f"{self.prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


@dataclass(frozen=True)
class Kind:
    fields: tuple[str, ...]
    # The records whose files `user` may download: the model's own `restrict()`, or its owner's.
    visible: Callable[[object], models.QuerySet]


KINDS: dict[str, Kind] = {}


def register(kind: str, fields: tuple[str, ...], visible) -> None:
    """Serve the files in `fields` of the records `visible(user)` returns, under `kind`."""
    KINDS[kind] = Kind(fields, visible)


def find(kind: str, name: str, user) -> models.fields.files.FieldFile | None:
    """The file `name` of `kind` if a record the user may see holds it; None otherwise."""
    spec = KINDS.get(kind)
    if spec is None or not name:
        return None
    q = models.Q(pk__in=[])
    for field in spec.fields:
        q |= models.Q(**{field: name})
    record = spec.visible(user).filter(q).first()
    if record is None:
        return None
    return next(getattr(record, f) for f in spec.fields if getattr(record, f).name == name)


def respond(file) -> HttpResponse:
    """The file's bytes, or with CITYGRID_SENDFILE an empty response the web server fills in."""
    mode = settings.CITYGRID_SENDFILE
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if mode == "nginx":
        response = HttpResponse(content_type=content_type)
        prefix = settings.CITYGRID_SENDFILE_PREFIX.rstrip("/")
        response["X-Accel-Redirect"] = quote(f"{prefix}/{file.storage.root_name}/{file.name}")
    elif mode == "apache":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = file.path
    else:
        response = FileResponse(file.open("rb"), content_type=content_type)
    # Personal data: no shared cache keeps a copy, no browser guesses another type.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
