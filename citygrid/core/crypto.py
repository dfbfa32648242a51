"""SM4 encryption and HMAC-SM3 blind indexes for personal data (GB/T 39786 expectations).

Ciphertext is `v2:<key id>:base64(nonce || SM4-GCM(value) || tag)`. GCM authenticates the
value and its header, so a changed byte or a value relabelled to another key fails loudly
instead of decrypting to garbage; a fresh nonce per value keeps equal numbers from producing
equal ciphertexts. Exact look-up goes through the blind index instead.

Keys come from `settings.FIELD_ENCRYPTION_KEYS`, newest first: the newest encrypts, every
listed key decrypts, and `manage.py rotate_keys` moves stored values to the newest. Values
written before key versions (`base64(iv || SM4-CBC(value))`, no tag) were written under key "0"
and still decrypt until rotated.
"""

import base64
import hashlib
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

VERSION = "v2"
LEGACY_KEY_ID = "0"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(ValueError):
    """A stored value that cannot be authenticated, or whose key is not configured."""


def _trial_key(purpose: bytes, secret: str) -> bytes:
    # Only when no key is configured; production refuses to start without real keys.
    return hashlib.sha256(purpose + secret.encode()).digest()[:16]


@cache
def _keyring(configured: tuple, secret: str) -> tuple[tuple[str, bytes], ...]:
    if not configured:
        return ((LEGACY_KEY_ID, _trial_key(b"sm4", secret)),)
    return tuple((key_id, bytes.fromhex(key)) for key_id, key in configured)


def _keys() -> tuple[tuple[str, bytes], ...]:
    return _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def current_key_id() -> str:
    return _keys()[0][0]


def _key(key_id: str) -> bytes:
    for candidate, key in _keys():
        if candidate == key_id:
            return key
    raise DecryptionError(f"value was encrypted under key {key_id}, which is not configured")


def is_current(token: str) -> bool:
    """Whether a stored value is already under the newest key (rotation skips it)."""
    return token.startswith(f"{VERSION}:{current_key_id()}:")


def _sealer():
    """`encrypt` with the newest key looked up and its SM4 key set up once; a fresh nonce still
    goes into every value."""
    key_id, key = _keys()[0]
    header = f"{VERSION}:{key_id}"
    aad = header.encode()
    algorithm = algorithms.SM4(key)

    def seal(value: str) -> str:
        if value is None or value == "":
            return ""
        nonce = os.urandom(NONCE_BYTES)
        enc = Cipher(algorithm, modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        data = enc.update(value.encode()) + enc.finalize()
        return f"{header}:{base64.b64encode(nonce + data + enc.tag).decode()}"

    return seal


def encrypt(value: str) -> str:
    return _sealer()(value)


def encrypt_many(values: list[str]) -> list[str]:
    """`encrypt` for a column of values (a batch of imported rows)."""
    seal = _sealer()
    return [seal(value) for value in values]


def decrypt(token: str) -> str:
    if not token:
        return ""
    if not token.startswith(f"{VERSION}:"):
        return _decrypt_legacy(token)
    _, key_id, body = token.split(":", 2)
    raw = base64.b64decode(body)
    nonce, data, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(_key(key_id)), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(f"{VERSION}:{key_id}".encode())
    try:
        return (dec.update(data) + dec.finalize()).decode()
    except InvalidTag:
        raise DecryptionError(f"value under key {key_id} failed authentication") from None


def _decrypt_legacy(token: str) -> str:
    raw = base64.b64decode(token)
    dec = Cipher(algorithms.SM4(_key(LEGACY_KEY_ID)), modes.CBC(raw[:16])).decryptor()
    data = dec.update(raw[16:]) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode()


@cache
def _index_key(configured: str, secret: str) -> bytes:
    return bytes.fromhex(configured) if configured else _trial_key(b"sm3", secret)


def blind_index(value: str) -> str:
    """Not versioned: rotating this key means recomputing every `<name>_index` column at once,
    since a search must hash with the one key the stored indexes were made with."""
    return blind_indexes([value])[0]


@cache
def _index_mac(configured: str, secret: str) -> hmac.HMAC:
    """The keyed HMAC, set up once per key and never finalised: each value hashes a copy."""
    return hmac.HMAC(_index_key(configured, secret), hashes.SM3())


def blind_indexes(values: list[str]) -> list[str]:
    """`blind_index` for many values."""
    keyed = _index_mac(settings.BLIND_INDEX_KEY, settings.SECRET_KEY)
    out = []
    for value in values:
        if not value:
            out.append("")
            continue
        mac = keyed.copy()
        mac.update(value.encode())
        out.append(mac.finalize().hex())
    return out


def _check_value(key: bytes) -> str:
    # An HMAC check value names a key without revealing anything that helps recover it.
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(b"citygrid key fingerprint")
    return mac.finalize().hex()[:32]


def key_fingerprints() -> dict:
    """Which keys the data is under, never the keys: the id new values are encrypted with, a
    check value per field key and one for the blind-index key (backups record it, and a
    restore refuses a key ring that could not read the data)."""
    return {
        "current": current_key_id(),
        "field": {key_id: _check_value(key) for key_id, key in _keys()},
        "index": _check_value(_index_key(settings.BLIND_INDEX_KEY, settings.SECRET_KEY)),
    }
