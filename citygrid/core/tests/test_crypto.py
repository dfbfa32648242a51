"""Field encryption: SM4-GCM with versioned keys, legacy CBC values, rotation, start-up checks."""

import base64
import io
import os

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.core.management import call_command
from django.db import connection

from citygrid.core import crypto
from citygrid.core.models import ObjectChange
from citygrid.core.tests.test_settings import run_check
from citygrid.regions.models import GridWorker

OLD = "00112233445566778899aabbccddeeff"
NEW = "ffeeddccbbaa99887766554433221100"


def legacy_token(value: str, key_hex: str) -> str:
    """A value as the pre-versioning code stored it: base64(iv || SM4-CBC(PKCS7(value)))."""
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(value.encode()) + padder.finalize()
    enc = Cipher(algorithms.SM4(bytes.fromhex(key_hex)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + enc.update(data) + enc.finalize()).decode()


@pytest.fixture
def old_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = (("0", OLD),)
    return settings


def test_ciphertext_names_the_version_and_key(old_key):
    token = crypto.encrypt("13812345678")
    assert token.startswith("v2:0:")
    assert crypto.decrypt(token) == "13812345678"


def test_a_tampered_ciphertext_is_refused_not_decrypted_to_garbage(old_key):
    token = crypto.encrypt("13812345678")
    raw = bytearray(base64.b64decode(token.split(":", 2)[2]))
    raw[14] ^= 0x01  # a bit of the ciphertext proper, after the 12-byte nonce
    tampered = "v2:0:" + base64.b64encode(bytes(raw)).decode()
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)
    # The header is authenticated too: a value cannot be relabelled to another key.
    old_key.FIELD_ENCRYPTION_KEYS = (("1", OLD), ("0", OLD))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt("v2:1:" + token.split(":", 2)[2])


def test_batch_helpers_give_what_one_value_at_a_time_gives(old_key):
    values = ["13812345678", "", None, "13812345678", "110105194912310029"]
    tokens = crypto.encrypt_many(values)
    assert [crypto.decrypt(t) for t in tokens] == [v or "" for v in values]
    assert tokens[1] == tokens[2] == ""
    assert tokens[0] != tokens[3]  # a fresh nonce per value, in a batch too
    assert all(t.startswith("v2:0:") for t in tokens if t)
    assert crypto.blind_indexes(values) == [crypto.blind_index(v) for v in values]
    assert crypto.blind_indexes(values)[0] == crypto.blind_indexes(values)[3] != ""


def test_legacy_cbc_values_still_decrypt_under_key_0(old_key):
    assert crypto.decrypt(legacy_token("110105194912310029", OLD)) == "110105194912310029"


def test_values_under_an_older_key_decrypt_and_new_ones_use_the_newest(old_key):
    before = crypto.encrypt("13812345678")
    old_key.FIELD_ENCRYPTION_KEYS = (("1", NEW), ("0", OLD))
    assert crypto.decrypt(before) == "13812345678"
    after = crypto.encrypt("13812345678")
    assert after.startswith("v2:1:")
    assert crypto.is_current(after) and not crypto.is_current(before)
    old_key.FIELD_ENCRYPTION_KEYS = (("1", NEW),)
    with pytest.raises(crypto.DecryptionError, match="key 0"):
        crypto.decrypt(before)


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_every_value_in_batches_without_history(old_key, tree):
    workers = [
        GridWorker(
            region=tree.grid_a1, name=f"网格员{n}", role="grid_worker", phone=f"1381234567{n}"
        )
        for n in range(3)
    ]
    for worker in workers:
        worker.save()
    # One row still in the legacy format.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE regions_gridworker SET phone = %s WHERE id = %s",
            [legacy_token("13812345670", OLD), workers[0].pk],
        )
    changes = ObjectChange.objects.count()
    old_key.FIELD_ENCRYPTION_KEYS = (("1", NEW), ("0", OLD))

    out = io.StringIO()
    call_command("rotate_keys", batch=2, stdout=out)
    assert "regions.GridWorker: 重新加密 3 行" in out.getvalue()

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM regions_gridworker ORDER BY id")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 3 and all(token.startswith("v2:1:") for token in stored)
    old_key.FIELD_ENCRYPTION_KEYS = (("1", NEW),)
    assert [GridWorker.objects.get(pk=w.pk).phone for w in workers] == [
        "13812345670",
        "13812345671",
        "13812345672",
    ]
    assert ObjectChange.objects.count() == changes
    # Resumable: a second run finds nothing left to do and leaves the values untouched.
    out = io.StringIO()
    call_command("rotate_keys", batch=2, stdout=out)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM regions_gridworker ORDER BY id")
        assert [row[0] for row in cursor.fetchall()] == stored
    assert "regions.GridWorker: 重新加密 0 行" in out.getvalue()


@pytest.mark.parametrize(
    "env",
    [
        {"CITYGRID_FIELD_KEY": "ab" * 20},
        {"CITYGRID_FIELD_KEY": "zz" * 16},
        {"CITYGRID_INDEX_KEY": "ab" * 8},
        {"CITYGRID_FIELD_KEYS": "1:" + "ab" * 15},
        {"CITYGRID_FIELD_KEYS": "ab" * 16},
        {"CITYGRID_FIELD_KEYS": f"1:{NEW},1:{OLD}"},
    ],
    ids=["field-too-long", "field-not-hex", "index-too-short", "keys-short", "no-id", "dup-id"],
)
def test_a_malformed_key_stops_start_up(env):
    result = run_check(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "32位十六进制" in result.stderr or "密钥编号" in result.stderr


def test_a_key_ring_is_accepted_at_start_up():
    result = run_check(CITYGRID_FIELD_KEY=OLD, CITYGRID_FIELD_KEYS=f"2:{NEW}")
    assert result.returncode == 0, result.stderr
