"""Private files on an S3-compatible service (MinIO, a cloud's object storage), for web nodes and
workers on several machines (`CITYGRID_MEDIA_STORAGE=s3`, requirements-s3.txt).

The same kinds and names as on disk, under `media/` or `private/` in the bucket. Objects are
written with a private ACL, and `url()` is the protected `file` view as on disk: no bucket URL,
signed or not, ever reaches a page, so every download passes the view's scope check and is
streamed by it.
"""

from django.urls import reverse
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage


@deconstructible(path="citygrid.core.files.PrivateStorage")
class PrivateS3Storage(S3Storage):
    """`files.PrivateStorage` when uploads live in a bucket (same arguments, same migrations)."""

    def __init__(self, kind: str, *, private: bool = False):
        self.kind = kind
        self.private = private
        super().__init__(
            location=self.root_name,
            default_acl="private",
            querystring_auth=True,
            custom_domain=None,
            file_overwrite=False,
        )

    @property
    def root_name(self) -> str:
        return "private" if self.private else "media"

    def url(self, name: str, parameters=None, expire=None, http_method=None) -> str:
        return reverse("file", kwargs={"kind": self.kind, "name": name})
