"""Fetching the photos a citizen sent: PicUrl on WeChat's image hosts, bounded in size and time.

The downloader is pluggable (`WECHAT_IMAGE_DOWNLOADER`): a deployment behind a proxy, or one
that fetches by MediaId through the official API, swaps in its own function.
"""

import time
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from django.utils.module_loading import import_string

CHUNK = 64 * 1024
MAX_SOCKET_WAIT = 1.0


class DownloadError(Exception):
    """The photo could not be fetched; the report goes on without it."""


def allowed_host(url: str) -> bool:
    parts = urlsplit(url)
    hosts = {h.strip().lower() for h in settings.WECHAT_IMAGE_HOSTS.split(",") if h.strip()}
    return parts.scheme in {"http", "https"} and (parts.hostname or "").lower() in hosts


def fetch_image(url: str, *, timeout: float) -> bytes:
    """GET `url` within `timeout` seconds in total and at most `WECHAT_IMAGE_MAX_BYTES`."""
    if not allowed_host(url):
        raise DownloadError("host not allowed")
    limit = settings.WECHAT_IMAGE_MAX_BYTES
    deadline = time.monotonic() + timeout
    # Each socket wait is capped too, so a stalled host overruns the deadline by at most that.
    wait = min(timeout, MAX_SOCKET_WAIT)
    try:
        # No redirects: a redirect could leave the allow-list.
        with requests.get(url, stream=True, timeout=wait, allow_redirects=False) as response:
            if response.status_code != 200:
                raise DownloadError(f"status {response.status_code}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise DownloadError("too large")
            body = bytearray()
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                body.extend(chunk)
                if len(body) > limit:
                    raise DownloadError("too large")
                if time.monotonic() > deadline:
                    raise DownloadError("timed out")
            return bytes(body)
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise DownloadError(type(exc).__name__) from exc


def download(url: str, *, timeout: float) -> bytes:
    return import_string(settings.WECHAT_IMAGE_DOWNLOADER)(url, timeout=timeout)
