"""API keys: random, shown once, stored as a SHA-256 digest."""

import hashlib
import secrets

from django.utils import timezone

from citygrid.core import records
from citygrid.integrations.open311.models import ApiClient


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_key(client: ApiClient) -> str:
    """Give the client a new key (the old one stops working) and return it, the only time."""
    key = secrets.token_urlsafe(32)
    client.key_prefix = key[:8]
    client.key_hash = digest(key)
    return key


def client_for(key: str) -> ApiClient | None:
    if not key:
        return None
    client = ApiClient.objects.filter(key_hash=digest(key), active=True).first()
    if client is not None:
        records.touch(ApiClient.objects.filter(pk=client.pk), last_used_at=timezone.now())
    return client
