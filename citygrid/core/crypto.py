"""SM4 encryption and HMAC-SM3 blind indexes for personal data (GB/T 39786 expectations).

Ciphertext is `base64(iv || SM4-CBC(PKCS7(value)))`: a fresh IV per value, so equal numbers do
not produce equal ciphertexts. Exact look-up goes through the blind index instead.
"""

import base64
import hashlib
import os
from functools import cache

from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings


@cache
def _key(setting: str, purpose: bytes) -> bytes:
    configured = getattr(settings, setting, "")
    if configured:
        return bytes.fromhex(configured)[:16]
    # Trial default: derived from SECRET_KEY; production refuses to start without real keys.
    return hashlib.sha256(purpose + settings.SECRET_KEY.encode()).digest()[:16]


def encrypt(value: str) -> str:
    if value is None or value == "":
        return ""
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(value.encode()) + padder.finalize()
    enc = Cipher(algorithms.SM4(_key("FIELD_ENCRYPTION_KEY", b"sm4")), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + enc.update(data) + enc.finalize()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    raw = base64.b64decode(token)
    dec = Cipher(
        algorithms.SM4(_key("FIELD_ENCRYPTION_KEY", b"sm4")), modes.CBC(raw[:16])
    ).decryptor()
    data = dec.update(raw[16:]) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode()


def blind_index(value: str) -> str:
    if not value:
        return ""
    mac = hmac.HMAC(_key("BLIND_INDEX_KEY", b"sm3"), hashes.SM3())
    mac.update(value.encode())
    return mac.finalize().hex()
