"""Backups an operator can restore onto a new server, and the checks that make a restore safe.

A backup is one directory named by its time: the database (`database.dump`, pg_dump custom
format, or `database.sqlite3` from SQLite's online backup API), `files.tar` (MEDIA_ROOT and
CITYGRID_PRIVATE_ROOT) and `manifest.json`: row counts per table, migration heads, checksums and
fingerprints of the field keys. The keys themselves are never written: a copy of the backup
would otherwise carry every ID number together with the means to read it.

A restore refuses, before it changes anything, what would leave a city with unreadable or
silently wrong data: a key ring without the key the backup was written under, a program older
than the backup's migrations, a damaged file, or a database that already holds data (unless
confirmed). It then checks that every table has the rows the manifest counted.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from citygrid.core import crypto

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files.tar"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
# Archive folder → setting naming the directory it holds.
ROOTS = {"media": "MEDIA_ROOT", "private": "CITYGRID_PRIVATE_ROOT"}

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused or failed; the message tells the operator what to do."""


@dataclass
class Restored:
    created: str
    tables: int
    rows: int
    files: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def default_output() -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups"


def create_backup(output: Path, *, using: str = "default", progress: Progress = print) -> Path:
    """Write a backup directory under `output` and return its path.

    It is written as `.<name>.partial` and renamed when complete, so an interrupted run never
    leaves a directory that looks like a backup. The directory is readable by its owner only:
    it holds personal data (names, photos) in bulk.
    """
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    final = Path(output) / stamp
    if final.exists():
        raise BackupError(f"备份目录已存在：{final}")
    partial = Path(output) / f".{stamp}.partial"
    Path(output).mkdir(parents=True, exist_ok=True)
    partial.mkdir(mode=0o700)
    try:
        manifest = _write_backup(partial, using, progress)
        (partial / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def _write_backup(directory: Path, using: str, progress: Progress) -> dict:
    # A connection of its own: the snapshot transaction must not mix with the caller's.
    conn = connections.create_connection(using)
    try:
        dump = directory / DUMPS[_vendor(conn)]
        progress(f"正在导出数据库 {conn.settings_dict['NAME']} …")
        if conn.vendor == "postgresql":
            database, tables = _dump_postgresql(conn, dump)
        else:
            database, tables = _dump_sqlite(conn, dump)
        heads = migration_heads(conn)
    finally:
        conn.close()
    database.update(file=dump.name, sha256=_sha256(dump))
    progress(f"数据库已导出：{len(tables)} 张表，共 {sum(tables.values())} 行")
    progress("正在打包上传文件 …")
    files = _archive_files(directory / FILES)
    progress("上传文件已打包：" + "，".join(f"{name} {n} 个" for name, n in files.items()))
    return {
        "format": FORMAT,
        "created": timezone.localtime().isoformat(),
        "commit": _commit(),
        "database": database,
        "files": {"file": FILES, "sha256": _sha256(directory / FILES), "count": files},
        "migrations": heads,
        "tables": tables,
        "keys": crypto.key_fingerprints(),
    }


def _vendor(conn: BaseDatabaseWrapper) -> str:
    if conn.vendor not in DUMPS:
        raise BackupError(f"不支持备份 {conn.vendor} 数据库（仅支持 PostgreSQL 与 SQLite）")
    return conn.vendor


def _dump_postgresql(conn: BaseDatabaseWrapper, dump: Path) -> tuple[dict, dict[str, int]]:
    """pg_dump and the row counts read the same exported snapshot: a backup taken while the
    city works still matches its manifest exactly."""
    pg_dump = _tool("pg_dump")
    client = _major(pg_dump)
    conn.ensure_connection()
    server = conn.pg_version // 10000
    if client < server:
        raise BackupError(
            f"pg_dump 版本 {client} 低于数据库服务器版本 {server}，无法导出："
            f"请安装 postgresql-client-{server} 或更新版本"
        )
    with conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = _row_counts(conn, cursor)
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
                _pg_env(conn.settings_dict),
            )
        finally:
            cursor.execute("COMMIT")
    version = f"{server}.{conn.pg_version % 10000}"
    return {"vendor": "postgresql", "server": version, "pg_dump": client}, tables


def _dump_sqlite(conn: BaseDatabaseWrapper, dump: Path) -> tuple[dict, dict[str, int]]:
    # The online backup copies a consistent state while others keep writing (WAL); the counts
    # are read from the copy, so they describe exactly what was copied.
    conn.ensure_connection()
    with closing(sqlite3.connect(dump)) as target:
        conn.connection.backup(target)
    with closing(sqlite3.connect(dump)) as copy:
        names = [
            row[0]
            for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        ]
        tables = {
            name: copy.execute(f"SELECT COUNT(*) FROM {_quote(name)}").fetchone()[0]
            for name in sorted(names)
        }
    return {"vendor": "sqlite", "sqlite": sqlite3.sqlite_version}, tables


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(conn: BaseDatabaseWrapper, cursor) -> list[str]:
    names = conn.introspection.table_names(cursor, include_views=False)
    return sorted(name for name in names if not name.startswith("sqlite_"))


def _row_counts(conn: BaseDatabaseWrapper, cursor) -> dict[str, int]:
    counts = {}
    for name in _tables(conn, cursor):
        cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(name)}")
        counts[name] = cursor.fetchone()[0]
    return counts


def migration_heads(conn: BaseDatabaseWrapper) -> dict[str, list[str]]:
    """Per app, the applied migrations no other applied migration of the app builds on."""
    loader = MigrationLoader(conn, ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    heads: dict[str, list[str]] = {}
    for key in sorted(applied):
        node = loader.graph.node_map.get(key)
        children = {child.key for child in node.children} if node else set()
        if not any(child in applied and child[0] == key[0] for child in children):
            heads.setdefault(key[0], []).append(key[1])
    return heads


def _archive_files(path: Path) -> dict[str, int]:
    counts = {}
    with tarfile.open(path, "w") as tar:
        for name, setting in ROOTS.items():
            root = Path(getattr(settings, setting))
            counts[name] = 0
            if not root.is_dir():
                continue

            def count(info: tarfile.TarInfo, name=name) -> tarfile.TarInfo:
                counts[name] += info.isfile()
                return info

            tar.add(root, arcname=name, filter=count)
    return counts


def _commit() -> str:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"未找到 {name}：请安装与数据库服务器同一主版本或更新的 PostgreSQL 客户端"
            "（如 apt install postgresql-client-15）"
        )
    return path


def _major(tool: str) -> int:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"\(PostgreSQL\) (\d+)", out)
    if found is None:
        raise BackupError(f"无法识别 {tool} 的版本：{out.strip()}")
    return int(found.group(1))


def _pg_env(settings_dict: dict) -> dict[str, str]:
    """libpq reads the connection from the environment: a password on a command line is shown
    by `ps` to every user of the machine and lands in logs."""
    options = settings_dict.get("OPTIONS", {})
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSSLMODE": options.get("sslmode"),
        "PGOPTIONS": options.get("options"),
    }
    env = dict(os.environ)
    env.update({name: str(value) for name, value in values.items() if value})
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    # --no-password: a job run by cron fails with a message instead of waiting for a prompt.
    result = subprocess.run(
        [command[0], "--no-password", *command[1:]], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} 执行失败（退出码 {result.returncode}）：{result.stderr.strip()}")


def read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} 不是有效的备份目录（无法读取 {MANIFEST}：{error}）") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式版本：{manifest.get('format')}")
    return manifest


def restore_backup(
    path: Path, *, using: str = "default", force: bool = False, progress: Progress = print
) -> Restored:
    """Check the backup against this installation, restore database and files, verify."""
    path = Path(path)
    manifest = read_manifest(path)
    conn = connections[using]
    warnings = check_keys(manifest["keys"])
    _check_vendor(manifest, conn)
    _check_migrations(manifest["migrations"])
    progress("正在校验备份文件 …")
    for part in (manifest["database"], manifest["files"]):
        if _sha256(path / part["file"]) != part["sha256"]:
            raise BackupError(f"备份文件 {part['file']} 校验和不符：文件已损坏或被改动")
    _check_empty(conn, force)
    progress(f"正在恢复数据库 {conn.settings_dict['NAME']} …")
    if conn.vendor == "postgresql":
        _restore_postgresql(conn, path / manifest["database"]["file"], manifest)
    else:
        _restore_sqlite(conn, path / manifest["database"]["file"])
    progress("正在恢复上传文件 …")
    files = _extract_files(path / FILES)
    progress("正在核对行数 …")
    _verify_counts(conn, manifest["tables"])
    pending = _pending_migrations(conn)
    if pending:
        warnings.append(f"当前程序还有 {pending} 个数据库迁移未执行：请运行 manage.py migrate")
    return Restored(
        created=manifest["created"],
        tables=len(manifest["tables"]),
        rows=sum(manifest["tables"].values()),
        files=files,
        warnings=warnings,
    )


def check_keys(backup: dict) -> list[str]:
    """Refuse unless the key the backup's values were written under is in the ring; warn about
    older keys still listed then (values not yet rotated may be under them)."""
    current = crypto.key_fingerprints()
    made_by = backup["current"]
    if current["field"].get(made_by) != backup["field"][made_by]:
        raise BackupError(
            f"当前密钥配置中没有写入该备份的加密密钥（编号 {made_by}，指纹 "
            f"{backup['field'][made_by]}）：恢复后证件号码、电话等加密信息将无法解密。"
            "请配置该密钥（CITYGRID_FIELD_KEYS；编号 0 即 CITYGRID_FIELD_KEY，"
            "未配置密钥时由 SECRET_KEY 派生）后再恢复"
        )
    if current["index"] != backup["index"]:
        raise BackupError(
            f"检索密钥 CITYGRID_INDEX_KEY 与备份时不同（备份时指纹 {backup['index']}）："
            "恢复后按证件号码、电话查询将查不到任何人。请配置备份时使用的检索密钥后再恢复"
        )
    missing = sorted(
        key_id
        for key_id, fingerprint in backup["field"].items()
        if current["field"].get(key_id) != fingerprint
    )
    if not missing:
        return []
    return [
        f"备份时的旧密钥（编号 {'、'.join(missing)}）不在当前密钥配置中："
        "备份前未用 rotate_keys 轮换到新密钥的值将无法解密"
    ]


def _check_vendor(manifest: dict, conn: BaseDatabaseWrapper) -> None:
    if manifest["database"]["vendor"] != conn.vendor:
        raise BackupError(
            f"备份来自 {manifest['database']['vendor']} 数据库，不能恢复到 {conn.vendor} 数据库"
        )


def _check_migrations(heads: dict[str, list[str]]) -> None:
    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    unknown = [
        f"{app}.{name}"
        for app, names in heads.items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            f"备份来自更新版本的程序（当前程序没有迁移 {'、'.join(unknown)}）："
            "请先把程序升级到备份时的版本再恢复"
        )


def _check_empty(conn: BaseDatabaseWrapper, force: bool) -> None:
    with conn.cursor() as cursor:
        tables = _tables(conn, cursor)
    if tables and not force:
        raise BackupError(
            f"目标数据库 {conn.settings_dict['NAME']} 不是空库（已有 {len(tables)} 张表）："
            "恢复会覆盖其中全部数据。确认无误后加 --yes 重新运行"
        )


def _restore_postgresql(conn: BaseDatabaseWrapper, dump: Path, manifest: dict) -> None:
    pg_restore = _tool("pg_restore")
    client, made_by = _major(pg_restore), manifest["database"]["pg_dump"]
    if client < made_by:
        raise BackupError(
            f"pg_restore 版本 {client} 低于生成备份的 pg_dump 版本 {made_by}，无法读取备份："
            f"请安装 postgresql-client-{made_by} 或更新版本"
        )
    # One transaction: a restore that fails part-way leaves the database as it was. No owners
    # or grants: the new server's roles need not match the old one's.
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={conn.settings_dict['NAME']}",
            str(dump),
        ],
        _pg_env(conn.settings_dict),
    )
    with conn.cursor() as cursor:
        cursor.execute("ANALYZE")  # pg_restore brings no planner statistics


def _restore_sqlite(conn: BaseDatabaseWrapper, dump: Path) -> None:
    conn.ensure_connection()
    with closing(sqlite3.connect(dump)) as source:
        source.backup(conn.connection)


def _extract_files(archive: Path) -> dict[str, int]:
    """Unpack each root into its configured directory; files already there are kept."""
    counts = {}
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for name, setting in ROOTS.items():
            chosen = [member for member in members if member.name.startswith(f"{name}/")]
            for member in chosen:
                member.name = member.name.removeprefix(f"{name}/")
            root = Path(getattr(settings, setting))
            root.mkdir(parents=True, exist_ok=True)
            # The "data" filter refuses absolute paths, "..", links out of the root, devices.
            tar.extractall(root, members=chosen, filter="data")
            counts[name] = sum(member.isfile() for member in chosen)
    return counts


def _verify_counts(conn: BaseDatabaseWrapper, expected: dict[str, int]) -> None:
    with conn.cursor() as cursor:
        found = _row_counts(conn, cursor)
    wrong = [
        f"{table}（备份 {count} 行，恢复后 {found.get(table, '无此表')}）"
        for table, count in expected.items()
        if found.get(table) != count
    ]
    if wrong:
        raise BackupError("恢复后的数据与备份清单不符：" + "；".join(wrong))


def _pending_migrations(conn: BaseDatabaseWrapper) -> int:
    executor = MigrationExecutor(conn)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
