"""The photo downloader against a local fake image host."""

import pytest

from citygrid.integrations.wechat.media import DownloadError, fetch_image

from .conftest import jpeg_bytes


def test_fetches_an_allowed_photo(image_server):
    assert fetch_image(f"{image_server}/photo.jpg", timeout=2) == jpeg_bytes()


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.jpg", "status 404"),
        ("/redirect.jpg", "status 302"),
        ("/big.jpg", "too large"),
        ("/chunked.jpg", "too large"),
    ],
)
def test_refuses(image_server, path, reason):
    with pytest.raises(DownloadError, match=reason):
        fetch_image(f"{image_server}{path}", timeout=2)


def test_gives_up_at_the_deadline(image_server):
    with pytest.raises(DownloadError, match="timed out"):
        fetch_image(f"{image_server}/slow.jpg", timeout=0.5)


@pytest.mark.parametrize(
    "url",
    ["http://example.com/photo.jpg", "ftp://127.0.0.1/photo.jpg", "file:///etc/passwd"],
)
def test_only_allowed_hosts(url):
    with pytest.raises(DownloadError, match="host not allowed"):
        fetch_image(url, timeout=1)


def test_host_not_listed_is_refused(image_server, settings):
    settings.WECHAT_IMAGE_HOSTS = "mmbiz.qpic.cn"
    with pytest.raises(DownloadError, match="host not allowed"):
        fetch_image(f"{image_server}/photo.jpg", timeout=1)
