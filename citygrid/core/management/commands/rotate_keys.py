"""`manage.py rotate_keys`: re-encrypt every encrypted field under the newest key.

Walks each model with `EncryptedCharField`s in primary-key order, a batch per transaction, and
rewrites only values not yet under the newest key, so an interrupted run is resumed by running
it again. The writes bypass the write path (`writeguard.unlogged()`): a re-encrypted value is
the same logical record, so it gets no change-log row, no stamp and no scope check. Each row is
written only if its stored ciphertext is still the one read, so a concurrent edit (already
under the newest key) is never overwritten with the old value.

Blind indexes (HMAC-SM3) are not touched: rotating that key means recomputing every index
column in one step while searches wait, a separate operation.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from citygrid.core import crypto, writeguard
from citygrid.core.fields import EncryptedCharField


def encrypted_models() -> list[tuple[type[models.Model], list[str]]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        names = [
            f.name for f in model._meta.local_concrete_fields if isinstance(f, EncryptedCharField)
        ]
        if names:
            found.append((model, names))
    return found


def _stored(names: list[str]) -> dict[str, models.Expression]:
    # The column as stored: a plain text output field skips the field's decryption.
    return {
        f"stored_{name}": models.ExpressionWrapper(models.F(name), output_field=models.TextField())
        for name in names
    }


def rotate_model(model: type[models.Model], names: list[str], batch: int) -> int:
    stored = _stored(names)
    rows = model._base_manager.annotate(**stored).order_by("pk")
    rotated, last = 0, None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        chunk = list(page.values_list("pk", *stored)[:batch])
        if not chunk:
            return rotated
        with transaction.atomic(), writeguard.unlogged():
            for pk, *tokens in chunk:
                stale = {
                    name: token
                    for name, token in zip(names, tokens, strict=True)
                    if token and not crypto.is_current(token)
                }
                if not stale:
                    continue
                try:
                    values = {name: crypto.decrypt(token) for name, token in stale.items()}
                except ValueError as error:  # DecryptionError, or a value that is not ours
                    raise CommandError(f"{model._meta.label} #{pk} 无法解密：{error}") from error
                unchanged = {f"stored_{name}": token for name, token in stale.items()}
                # The field encrypts plaintext on the way in, under the newest key.
                rotated += (
                    model._base_manager.alias(**_stored(list(stale)))
                    .filter(pk=pk, **unchanged)
                    .update(**values)
                )
        last = chunk[-1][0]


class Command(BaseCommand):
    help = "把所有加密字段重新加密到最新密钥（分批进行，中断后重新运行即可继续）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每个事务处理的行数")

    def handle(self, *args, batch: int, **options):
        if batch < 1:
            raise CommandError("--batch 必须为正整数")
        self.stdout.write(f"当前密钥编号：{crypto.current_key_id()}")
        for model, names in encrypted_models():
            count = rotate_model(model, names, batch)
            self.stdout.write(f"{model._meta.label}: 重新加密 {count} 行")
