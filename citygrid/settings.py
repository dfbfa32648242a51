"""Settings, all from environment variables with defaults that work for a trial.

`.env.example` lists every variable. With `CITYGRID_ENV=production` the process refuses to start
on a default secret or with DEBUG on, because a trial default leaking into a city's deployment is
the failure this prevents.
"""

import copy
import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


_DEFAULT_SECRET = "citygrid-trial-secret-not-for-production"

CITYGRID_ENV = env("CITYGRID_ENV", "development")
PRODUCTION = CITYGRID_ENV == "production"
SECRET_KEY = env("SECRET_KEY", _DEFAULT_SECRET)
DEBUG = env_bool("DEBUG", not PRODUCTION)
# Demo accounts with a published password exist only where this is on.
DEMO_MODE = env_bool("CITYGRID_DEMO", not PRODUCTION)

if PRODUCTION:
    if SECRET_KEY == _DEFAULT_SECRET or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("生产环境必须设置至少32位的 SECRET_KEY")
    if DEBUG:
        raise ImproperlyConfigured("生产环境不允许 DEBUG=1")
    if DEMO_MODE:
        raise ImproperlyConfigured("生产环境不允许 CITYGRID_DEMO=1")

ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tables2",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "citygrid.core",
    "citygrid.accounts",
    "citygrid.regions",
    "citygrid.notify",
    "citygrid.cases",
    "citygrid.disputes",
    "citygrid.orgs",
    "citygrid.units",
    "citygrid.neworgs",
    "citygrid.exchange",
    "citygrid.housing",
    "citygrid.people",
    "citygrid.portal",
    "citygrid.mobile",
    "citygrid.integrations.open311",
    "citygrid.integrations.wechat",
    "citygrid.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # policy: CONTENT_SECURITY_POLICY below
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "citygrid.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "citygrid.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "citygrid.urls"
WSGI_APPLICATION = "citygrid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "citygrid" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "citygrid.core.context_processors.navigation",
                "citygrid.notify.context_processors.notifications",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'citygrid.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # JIT compilation costs more than it saves on the statistics' short aggregates.
    options["options"] = "-c jit=off"
    # Each process keeps a pool of connections (psycopg_pool): a new connection per request
    # costs a backend start, more than a whole case intake. CITYGRID_DB_POOL_MAX per process
    # (gunicorn threads + headroom); 0 turns the pool off (then DB_CONN_MAX_AGE applies).
    pool_max = int(env("CITYGRID_DB_POOL_MAX", "8"))
    if pool_max:
        options["pool"] = {"min_size": min(2, pool_max), "max_size": pool_max, "timeout": 10}
# A read replica (docs/deployment.md): statistics and exports read from it where the code says so
# (`core.routers.replica_reads()`); every other read, and any read after a write, stays on the
# primary, so nobody misses their own change to replication lag.
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **dj_database_url.parse(
            env("DATABASE_REPLICA_URL"), conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
        ),
        "OPTIONS": copy.deepcopy(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["citygrid.core.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["citygrid.accounts.backends.RoleBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "citygrid.accounts.passwords.CharacterClassValidator"},
    {"NAME": "citygrid.accounts.passwords.UsernameValidator"},
]
# Login security (等保 level 3): lock an account after repeated failures; refuse every login
# from an address with too many failures in the window, whichever usernames it tried.
LOGIN_MAX_FAILURES = int(env("CITYGRID_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCK_MINUTES = int(env("CITYGRID_LOGIN_LOCK_MINUTES", "15"))
LOGIN_IP_MAX_FAILURES = int(env("CITYGRID_LOGIN_IP_MAX_FAILURES", "20"))
LOGIN_IP_WINDOW_SECONDS = int(env("CITYGRID_LOGIN_IP_WINDOW_SECONDS", "900"))
# Two-factor login (TOTP): superusers and 系统管理员 must enrol a device before they can log in.
REQUIRE_2FA_FOR_ADMINS = env_bool("CITYGRID_REQUIRE_2FA_FOR_ADMINS", PRODUCTION)
OTP_TOTP_ISSUER = "网格化社会综合管理系统"
# A session ends SESSION_COOKIE_AGE after login, or sooner after SESSION_IDLE_SECONDS without a
# request (API tokens have neither: they end when revoked or the password changes).
SESSION_COOKIE_AGE = int(env("CITYGRID_SESSION_SECONDS", str(8 * 3600)))
SESSION_IDLE_SECONDS = int(env("CITYGRID_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION

LANGUAGE_CODE = "zh-hans"
# Chinese only: otherwise LocaleMiddleware follows Accept-Language and form errors turn English.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without DEBUG (production), pages name `collectstatic`'s output: each file under a name with a
# hash of its content, beside gzip and brotli copies, which WhiteNoise (or nginx) sends to
# browsers that accept them, cached for a year (a new release has new names). With DEBUG
# (development, tests) files come straight from the finders, so an edit shows at once.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# --- Private files (core/files.py): nothing under MEDIA_ROOT or below is served by path; the
# `file` view checks scope and sends the bytes, or hands the path to the web server:
# CITYGRID_SENDFILE "" (Django streams), "nginx" (X-Accel-Redirect to CITYGRID_SENDFILE_PREFIX
# + "/media/<name>" or "/private/<name>", internal locations) or "apache" (X-Sendfile).
# Import files (bulk personal data) live under CITYGRID_PRIVATE_ROOT, outside MEDIA_ROOT.
CITYGRID_PRIVATE_ROOT = Path(env("CITYGRID_PRIVATE_ROOT") or BASE_DIR / "var" / "private")
CITYGRID_SENDFILE = env("CITYGRID_SENDFILE", "")
if CITYGRID_SENDFILE not in ("", "nginx", "apache"):
    raise ImproperlyConfigured("CITYGRID_SENDFILE 只能为空、nginx 或 apache")
CITYGRID_SENDFILE_PREFIX = env("CITYGRID_SENDFILE_PREFIX") or "/protected"
# --- end private files
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Where uploads live: "local" (the two roots above: one folder every node mounts) or "s3" (an
# S3-compatible service through django-storages, requirements-s3.txt; `core/objectstore.py`).
# Objects stay private: no public ACL, no bucket URL handed out, bytes streamed by the `file` view.
CITYGRID_MEDIA_STORAGE = env("CITYGRID_MEDIA_STORAGE", "local")
if CITYGRID_MEDIA_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured("CITYGRID_MEDIA_STORAGE 只能为 local 或 s3")
if CITYGRID_MEDIA_STORAGE == "s3":
    if CITYGRID_SENDFILE:
        raise ImproperlyConfigured(
            "CITYGRID_MEDIA_STORAGE=s3 时文件由应用读出，不能设置 CITYGRID_SENDFILE"
        )
    AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("CITYGRID_MEDIA_STORAGE=s3 需要设置 AWS_STORAGE_BUCKET_NAME")
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY") or None
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL") or None  # MinIO: http://minio:9000
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME") or None
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE") or None  # MinIO: path
    AWS_DEFAULT_ACL = "private"
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = 60
    AWS_S3_FILE_OVERWRITE = False
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "media"},
    }
# The Chinese font of generated PDFs (调解协议书, core/pdf.py): a TrueType/OpenType file or
# collection, embedded as a subset. Default: Debian's fonts-noto-cjk (the Makefile installs it),
# whose collections hold Simplified Chinese as face 2. The face is ignored for a single font.
CITYGRID_PDF_FONT = env(
    "CITYGRID_PDF_FONT", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
)
CITYGRID_PDF_FONT_FACE = int(env("CITYGRID_PDF_FONT_FACE", "2"))
# Largest accepted upload (photos, import files), in bytes.
MAX_UPLOAD_BYTES = int(env("CITYGRID_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# --- Request size limits (docs/security.md): past these a request is refused with a message
# instead of tying up a worker. Rows read from one import file; rows on one list page (HTML
# `per_page`, API `page_size`); points in one batch `locate` call.
CITYGRID_MAX_IMPORT_ROWS = int(env("CITYGRID_MAX_IMPORT_ROWS", "100000"))
# People, houses and buildings stream (memory stays flat): their cap only bounds one job.
CITYGRID_MAX_BULK_IMPORT_ROWS = int(env("CITYGRID_MAX_BULK_IMPORT_ROWS", "10000000"))
# Worker processes that validate a big bulk import on PostgreSQL while it writes (0: none);
# by default every core but the one the importer writes with.
_IMPORT_WORKERS = str(max(1, (os.cpu_count() or 2) - 1))
CITYGRID_IMPORT_WORKERS = int(env("CITYGRID_IMPORT_WORKERS", _IMPORT_WORKERS))
CITYGRID_IMPORT_POOL_MIN_ROWS = int(env("CITYGRID_IMPORT_POOL_MIN_ROWS", "20000"))
CITYGRID_MAX_PAGE_SIZE = int(env("CITYGRID_MAX_PAGE_SIZE", "1000"))
CITYGRID_MAX_LOCATE_POINTS = int(env("CITYGRID_MAX_LOCATE_POINTS", "5000"))
# --- end request size limits
# Lists count exactly up to this many rows, then show an estimate ("约"); numbered page links
# (OFFSET) stop at this page when the list's order allows keyset "下一页" links instead.
CITYGRID_EXACT_COUNT_LIMIT = int(env("CITYGRID_EXACT_COUNT_LIMIT", "10000"))
CITYGRID_OFFSET_PAGE_LIMIT = int(env("CITYGRID_OFFSET_PAGE_LIMIT", "20"))
# --- Big exports (core/io/export.py): CSV always streams; an XLSX of more rows than this is
# written by a background job (progress page, download link), never in the request. The job's
# file (personal data in bulk) is deleted this many days after it was made (`prune_jobs`).
CITYGRID_EXPORT_INLINE_ROWS = int(env("CITYGRID_EXPORT_INLINE_ROWS", "10000"))
EXPORT_FILE_RETENTION_DAYS = int(env("CITYGRID_EXPORT_FILE_RETENTION_DAYS", "1"))
# --- end big exports
# Uploaded import files hold personal data: `manage.py prune_jobs` deletes them this many days
# after their job finished (the job, its counts and its error list stay).
IMPORT_FILE_RETENTION_DAYS = int(env("CITYGRID_IMPORT_FILE_RETENTION_DAYS", "7"))

# Task queue: "db" (embedded: the database, `manage.py db_worker`), "rq" (Redis at REDIS_URL,
# `manage.py rqworker default --with-scheduler` on any number of machines) or a backend's path.
_TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
_task_backend = env("CITYGRID_TASK_BACKEND", "db")
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS.get(_task_backend, _task_backend),
        "QUEUES": ["default"],
    }
}
# Periodic jobs (`manage.py run_periodic` queues them, the task worker runs them):
# name -> (task, seconds between runs).
PERIODIC_JOBS = {
    "sweep_deadlines": (
        "citygrid.cases.tasks.sweep_deadlines",
        int(env("CITYGRID_SWEEP_DEADLINES_EVERY", "60")),
    ),
    "prune_jobs": (
        "citygrid.core.tasks.prune_jobs",
        int(env("CITYGRID_PRUNE_JOBS_EVERY", "3600")),
    ),
    "snapshot_population": (
        "citygrid.people.tasks.snapshot_population",
        int(env("CITYGRID_SNAPSHOT_POPULATION_EVERY", "600")),
    ),
    "refresh_grid_population": (
        "citygrid.people.tasks.refresh_grid_population",
        int(env("CITYGRID_REFRESH_GRID_POPULATION_EVERY", "600")),
    ),
    "prepare_case_numbers": (
        "citygrid.cases.tasks.prepare_case_numbers",
        int(env("CITYGRID_PREPARE_CASE_NUMBERS_EVERY", "3600")),
    ),
    "reap_jobs": (
        "citygrid.core.tasks.reap_jobs",
        int(env("CITYGRID_REAP_JOBS_EVERY", "60")),
    ),
    "compile_dispute_reports": (
        "citygrid.disputes.tasks.compile_dispute_reports",
        int(env("CITYGRID_COMPILE_DISPUTE_REPORTS_EVERY", "3600")),
    ),
    "warn_expiring_licences": (
        "citygrid.units.tasks.warn_expiring_licences",
        int(env("CITYGRID_WARN_EXPIRING_LICENCES_EVERY", "86400")),
    ),
    "remind_monthly_reports": (
        "citygrid.neworgs.tasks.remind_monthly_reports",
        int(env("CITYGRID_REMIND_MONTHLY_REPORTS_EVERY", "86400")),
    ),
    "remind_directives": (
        "citygrid.notify.tasks.remind_directives",
        int(env("CITYGRID_REMIND_DIRECTIVES_EVERY", "3600")),
    ),
}
# An import or export whose worker has not beaten for this many seconds is marked failed. On
# SQLite nothing can beat while an import's write transaction holds the lock: keep it above the
# longest write.
JOB_LEASE_SECONDS = int(env("CITYGRID_JOB_LEASE_SECONDS", "900"))

# --- shared state across processes (cache: rate limits) and trusted proxies
# `make run` starts several processes: counters must live where all of them see the same value.
# Redis when REDIS_URL is set, else the database (`manage.py createcachetable`, run by
# `make migrate`); never process-local memory.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "citygrid",
        }
    }
    # Sessions are read from Redis and written through to the database: a node or a Redis
    # restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "citygrid_cache",
        }
    }
if TASKS["default"]["BACKEND"] == _TASK_BACKENDS["rq"]:
    if not REDIS_URL:
        raise ImproperlyConfigured("CITYGRID_TASK_BACKEND=rq 需要设置 REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # RQ stops a job after its timeout: an import of millions of rows takes minutes.
    RQ_QUEUES = {
        "default": {
            "URL": REDIS_URL,
            "DEFAULT_TIMEOUT": int(env("CITYGRID_RQ_JOB_TIMEOUT", "3600")),
        }
    }
    # The worker must run jobs as django-tasks tasks, so a plain `rqworker` needs no option.
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
# Addresses (IPs or CIDRs, comma-separated) of the reverse proxies whose X-Forwarded-For /
# X-Real-IP are believed; from anyone else those headers are the client's own claim.
try:
    TRUSTED_PROXIES = [
        ipaddress.ip_network(p.strip(), strict=False)
        for p in env("CITYGRID_TRUSTED_PROXIES").split(",")
        if p.strip()
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"CITYGRID_TRUSTED_PROXIES 格式错误：{exc}") from exc
# --- end shared state

REST_FRAMEWORK = {
    # Token first so an anonymous call gets 401 with `WWW-Authenticate: Token`, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["citygrid.core.api.permissions.RestrictedPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "citygrid.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "citygrid.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "citygrid.core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CityGrid API",
    "DESCRIPTION": "网格化社会综合管理系统 REST API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets sharing a field name ("kind", "level") get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "citygrid.cases.choices.CaseKind",
        "SupervisionLevelEnum": "citygrid.cases.choices.SupervisionLevel",
        "RegionLevelEnum": "citygrid.regions.choices.RegionLevel",
    },
}


# Sensitive fields (ID and phone numbers): SM4-GCM encryption keys and the HMAC-SM3 blind-index
# key, 32 hex characters each (docs/security.md). CITYGRID_FIELD_KEY is key "0", the key of values
# written before key versions; CITYGRID_FIELD_KEYS ("id:hex,id:hex", newest first) adds newer
# ones. The newest encrypts, all decrypt; `manage.py rotate_keys` moves stored values to the
# newest. A malformed key stops start-up: it was once cut to 16 bytes without a word.
# Trial default derives both from SECRET_KEY; production must set them (from the KMS).
def _hex_key(name: str, value: str) -> str:
    try:
        valid = len(value) == 32 and len(bytes.fromhex(value)) == 16
    except ValueError:
        valid = False
    if not valid:
        raise ImproperlyConfigured(
            f"{name} 的密钥必须恰好是32位十六进制字符（16字节）；"
            "旧版本会把更长的密钥截断，实际生效的是其前32位"
        )
    return value.lower()


def _field_keys(ring: str, legacy: str) -> tuple[tuple[str, str], ...]:
    keys = []
    for item in filter(None, (part.strip() for part in ring.split(","))):
        key_id, _, key = item.rpartition(":")
        if not (key_id.isascii() and key_id.isalnum()):
            raise ImproperlyConfigured(
                "CITYGRID_FIELD_KEYS 的每一项须为“密钥编号:32位十六进制密钥”，"
                "密钥编号只含字母和数字"
            )
        keys.append((key_id, _hex_key("CITYGRID_FIELD_KEYS", key)))
    if legacy:
        keys.append(("0", _hex_key("CITYGRID_FIELD_KEY", legacy)))
    ids = [key_id for key_id, _ in keys]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(
            "CITYGRID_FIELD_KEYS 中的密钥编号重复（CITYGRID_FIELD_KEY 即编号 0）"
        )
    return tuple(keys)


FIELD_ENCRYPTION_KEYS = _field_keys(env("CITYGRID_FIELD_KEYS"), env("CITYGRID_FIELD_KEY"))
BLIND_INDEX_KEY = env("CITYGRID_INDEX_KEY")
if BLIND_INDEX_KEY:
    BLIND_INDEX_KEY = _hex_key("CITYGRID_INDEX_KEY", BLIND_INDEX_KEY)
if PRODUCTION and not (FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY):
    raise ImproperlyConfigured(
        "生产环境必须设置 CITYGRID_FIELD_KEY（或 CITYGRID_FIELD_KEYS）与 CITYGRID_INDEX_KEY"
    )

# Base maps: nothing comes from the internet unless configured.
MAP = {
    "center": [float(env("CITYGRID_MAP_LNG", "120.20")), float(env("CITYGRID_MAP_LAT", "30.25"))],
    "zoom": int(env("CITYGRID_MAP_ZOOM", "11")),
    "tianditu_key": env("CITYGRID_TIANDITU_KEY"),
    # Any {z}/{x}/{y} template, e.g. an intranet tile server; overrides Tianditu when set.
    "flat_url": env("CITYGRID_MAP_FLAT_URL"),
    "satellite_url": env("CITYGRID_MAP_SATELLITE_URL"),
    "attribution": env("CITYGRID_MAP_ATTRIBUTION", ""),
    # Below this zoom the map draws one feature per region of a coarser level.
    "grid_min_zoom": int(env("CITYGRID_MAP_GRID_MIN_ZOOM", "14")),
}

# Offline base maps (docs/maps.md): MBTiles files served by CityGrid itself at /tiles/<layer>/.
# The defaults are where `manage.py import_tiles` and the demo city's seed write them; a layer
# whose file exists is offered on every map (`regions.geo.tiles.map_config`), unless a tile URL
# above configures it.
BASEMAP_FILES = {
    "flat": Path(env("CITYGRID_BASEMAP_FLAT") or BASE_DIR / "var" / "tiles" / "flat.mbtiles"),
    "satellite": Path(
        env("CITYGRID_BASEMAP_SATELLITE") or BASE_DIR / "var" / "tiles" / "satellite.mbtiles"
    ),
}

# The zooms `seed_demo` draws the demo city's flat base map at ("low-high"): each zoom in has
# four times the tiles of the one before (11–16: some 2 700 tiles, docs/maps.md).
_low, _, _high = env("CITYGRID_DEMO_BASEMAP_ZOOMS", "11-16").partition("-")
DEMO_BASEMAP_ZOOMS = range(int(_low), int(_high or _low) + 1)


# Case workflow. Per-category limits live in the TimeLimit table; these apply where a category
# has none, so a new category is never without a clock. (amount, unit) per step.
CASE_DEFAULT_LIMITS = {
    "register": (1, "working_hours"),
    "dispatch": (1, "working_hours"),
    "accept": (2, "working_hours"),
    "handle": (24, "working_hours"),
    "verify": (4, "working_hours"),
    "close": (2, "working_hours"),
}
# A dispute's steps (矛盾纠纷): mediation runs to the deadline the referral sets.
DISPUTE_DEFAULT_LIMITS = {
    "assess": (1, "working_days"),
    "dispatch": (1, "working_days"),
    "accept": (1, "working_days"),
    "verify": (3, "working_days"),
    "archive": (2, "working_days"),
}
# Follow-up visits (回访) after the archive, in days.
DISPUTE_FOLLOW_UP_DAYS = (30, 90)
CASE_WARN_FRACTION = float(env("CITYGRID_CASE_WARN_FRACTION", "0.8"))
CASE_REOPEN_DAYS = int(env("CITYGRID_CASE_REOPEN_DAYS", "7"))
CASE_DUPLICATE_RADIUS_M = float(env("CITYGRID_CASE_DUPLICATE_RADIUS_M", "50"))
# How often an open desk asks for new reports (seconds; each poll is one primary-key range).
CASE_DESK_POLL_SECONDS = int(env("CITYGRID_CASE_DESK_POLL_SECONDS", "20"))
# An unanswered supervision order becomes a higher-level one due this many hours later.
CASE_SUPERVISION_ESCALATION_HOURS = int(env("CITYGRID_CASE_SUPERVISION_ESCALATION_HOURS", "24"))

# Population statistics: a snapshot younger than this many seconds is shown as is; older ones are
# recomputed on read (the periodic job `snapshot_population` keeps them fresh).
POPULATION_SNAPSHOT_MAX_AGE = int(env("CITYGRID_POPULATION_SNAPSHOT_MAX_AGE", "900"))

# SMS backend, like EMAIL_BACKEND. The trial default keeps every message in the database
# outbox (shown in 系统管理 → 短信发件箱): nothing leaves the machine.
SMS_BACKEND = env("CITYGRID_SMS_BACKEND", "citygrid.notify.backends.outbox.OutboxBackend")
# The 【签名】 prefixed to every text; providers require it to be registered with them.
SMS_SIGNATURE = env("CITYGRID_SMS_SIGNATURE", "网格化管理")
# Provider backends (docs/sms.md): a failed send is retried only when the provider says it may
# pass later (throttling, 5xx, timeouts), at most SMS_MAX_ATTEMPTS tries, waiting
# SMS_RETRY_BACKOFF * 2**(n-1) seconds before retry n.
SMS_HTTP_TIMEOUT = float(env("CITYGRID_SMS_HTTP_TIMEOUT", "10"))
SMS_MAX_ATTEMPTS = int(env("CITYGRID_SMS_MAX_ATTEMPTS", "3"))
SMS_RETRY_BACKOFF = float(env("CITYGRID_SMS_RETRY_BACKOFF", "1"))
# Delivery receipts are pushed by the provider to /notify/sms/receipts/<provider>/<token>/;
# blank: the receipt endpoints answer 404.
SMS_RECEIPT_TOKEN = env("CITYGRID_SMS_RECEIPT_TOKEN", "")


def _sms_template_map(name: str) -> dict[str, str]:
    # "verify_code=SMS_1,case_number=SMS_2": our template code -> the provider's template id.
    pairs = (item.split("=", 1) for item in env(name).split(",") if "=" in item)
    return {code.strip(): value.strip() for code, value in pairs}


SMS_ALIYUN = {
    "access_key_id": env("CITYGRID_SMS_ALIYUN_ACCESS_KEY_ID"),
    "access_key_secret": env("CITYGRID_SMS_ALIYUN_ACCESS_KEY_SECRET"),
    "sign_name": env("CITYGRID_SMS_ALIYUN_SIGN_NAME") or SMS_SIGNATURE,
    "region": env("CITYGRID_SMS_ALIYUN_REGION") or "cn-hangzhou",
    "endpoint": env("CITYGRID_SMS_ALIYUN_ENDPOINT") or "https://dysmsapi.aliyuncs.com/",
    "templates": _sms_template_map("CITYGRID_SMS_ALIYUN_TEMPLATES"),
}
SMS_TENCENT = {
    "secret_id": env("CITYGRID_SMS_TENCENT_SECRET_ID"),
    "secret_key": env("CITYGRID_SMS_TENCENT_SECRET_KEY"),
    "app_id": env("CITYGRID_SMS_TENCENT_APP_ID"),
    "sign_name": env("CITYGRID_SMS_TENCENT_SIGN_NAME") or SMS_SIGNATURE,
    "region": env("CITYGRID_SMS_TENCENT_REGION") or "ap-guangzhou",
    "endpoint": env("CITYGRID_SMS_TENCENT_ENDPOINT") or "https://sms.tencentcloudapi.com/",
    "templates": _sms_template_map("CITYGRID_SMS_TENCENT_TEMPLATES"),
}
# A provider backend without its keys would fail every text: say so at start-up instead.
if SMS_BACKEND.endswith(".AliyunSmsBackend"):
    _sms_keys = [SMS_ALIYUN[key] for key in ("access_key_id", "access_key_secret")]
elif SMS_BACKEND.endswith(".TencentSmsBackend"):
    _sms_keys = [SMS_TENCENT[key] for key in ("secret_id", "secret_key", "app_id")]
else:
    _sms_keys = []
if not all(_sms_keys):
    raise ImproperlyConfigured(f"短信通道 {SMS_BACKEND} 缺少服务商密钥或应用ID，见 docs/sms.md")

# WeChat official account (docs/wechat.md): the token, AppID and EncodingAESKey set in the
# account's 服务器配置; the AES key is needed only in 安全模式.
WECHAT_TOKEN = env("WECHAT_TOKEN", "")
WECHAT_APP_ID = env("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env("WECHAT_APP_SECRET", "")
WECHAT_AES_KEY = env("WECHAT_AES_KEY", "")
# Replay window: a message whose signed timestamp or CreateTime is further than this from now
# (either way) is refused, so a captured request cannot be played back later.
WECHAT_REPLAY_SECONDS = int(env("CITYGRID_WECHAT_REPLAY_SECONDS", "300"))
# Where citizens follow a case: the replies link to <base>/portal/follow/.
WECHAT_PORTAL_BASE_URL = env("WECHAT_PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A report's pieces may arrive in any order; the conversation restarts after this much silence.
WECHAT_REPORT_WINDOW_MINUTES = int(env("WECHAT_REPORT_WINDOW_MINUTES", "30"))
# The numbered class menu (kind:code of minor classes) and the class behind "0 其他".
WECHAT_CATEGORIES = env(
    "WECHAT_CATEGORIES",
    "event:0102,event:0104,event:0201,event:0504,event:0507,event:0405,component:0111,"
    "component:0206",
)
WECHAT_DEFAULT_CATEGORY = env("WECHAT_DEFAULT_CATEGORY", "component:0603")
# Photos are fetched from PicUrl only on these hosts, within the size and time limits.
WECHAT_IMAGE_HOSTS = env("WECHAT_IMAGE_HOSTS", "mmbiz.qpic.cn,mmsns.qpic.cn")
WECHAT_IMAGE_MAX_BYTES = int(env("WECHAT_IMAGE_MAX_BYTES", "5242880"))
WECHAT_MAX_PHOTOS = int(env("WECHAT_MAX_PHOTOS", "3"))
# Seconds all photo downloads of one report may take together: WeChat waits 5 s for a reply.
WECHAT_IMAGE_TIMEOUT = float(env("WECHAT_IMAGE_TIMEOUT", "2"))
WECHAT_IMAGE_DOWNLOADER = env(
    "WECHAT_IMAGE_DOWNLOADER", "citygrid.integrations.wechat.media.fetch_image"
)

# Citizens' portal (docs/portal.md): reports per phone / per IP in the window before they are
# held for review (never dropped), and the SMS verification code's life, resend gap, attempts.
PORTAL_RATE_WINDOW_SECONDS = int(env("PORTAL_RATE_WINDOW_SECONDS", "3600"))
PORTAL_REPORTS_PER_PHONE = int(env("PORTAL_REPORTS_PER_PHONE", "5"))
PORTAL_REPORTS_PER_IP = int(env("PORTAL_REPORTS_PER_IP", "20"))
PORTAL_CODE_TTL_SECONDS = int(env("PORTAL_CODE_TTL_SECONDS", "300"))
PORTAL_CODE_RESEND_SECONDS = int(env("PORTAL_CODE_RESEND_SECONDS", "60"))
PORTAL_CODE_MAX_ATTEMPTS = int(env("PORTAL_CODE_MAX_ATTEMPTS", "5"))
# The portal's public address, for the links in the SMS a reporting citizen receives.
PORTAL_BASE_URL = (env("PORTAL_BASE_URL") or WECHAT_PORTAL_BASE_URL).rstrip("/")

# Open311 GeoReport v2 (docs/open311.md).
OPEN311_JURISDICTION_ID = env("OPEN311_JURISDICTION_ID", "")
OPEN311_ENDPOINT_TYPE = env("OPEN311_ENDPOINT_TYPE", "production")
OPEN311_CONTACT = env("OPEN311_CONTACT", "请联系城市运行管理指挥中心")
# An identical POST from the same client within this window returns the first request.
OPEN311_REPEAT_WINDOW_SECONDS = int(env("OPEN311_REPEAT_WINDOW_SECONDS", "600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # nothing here is meant to be framed (CSP frame-ancestors agrees)

# Transport security in production (等保 2.0): HTTPS only, HSTS, secure cookies. Behind nginx,
# CITYGRID_PROXY_SSL_HEADER=1 trusts its X-Forwarded-Proto (set only when nginx sets it).
SECURE_SSL_REDIRECT = PRODUCTION and env("CITYGRID_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(env("CITYGRID_HSTS_SECONDS", "31536000")) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = False
# An intranet host name is not for browsers' preload lists: the preload check does not apply.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if env("CITYGRID_PROXY_SSL_HEADER", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: every script is a file served from here (no inline script, no eval),
# so an injected <script> or on*= attribute never runs. Styles allow inline attributes (the
# templates' layout tweaks; CSS cannot run code). Images may come from the configured base-map
# tile servers only.


def _tile_origins() -> list[str]:
    from urllib.parse import urlsplit

    origins = []
    for url in (MAP["flat_url"], MAP["satellite_url"]):
        parts = urlsplit(url.replace("{s}", "a"))
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}")
            origins.append(f"{parts.scheme}://{parts.netloc}")
    if MAP["tianditu_key"]:
        origins.append("https://*.tianditu.gov.cn")
    return sorted(set(origins))


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origins()],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
