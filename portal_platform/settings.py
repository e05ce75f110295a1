"""Settings for the provincial portal platform.

Everything comes from the environment through the typed readers in ``portal_platform.env``: a bad
value stops start-up with the variable's name and the expected form. There is no production-only
setting and no "local folder" storage mode: the embedded services that ``make run`` starts provide
the same URLs a deployment would (see README's table of variables).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from portal_platform.env import (
    SettingError,
    env_bool,
    env_dates,
    env_float,
    env_hostname,
    env_int,
    env_list,
    env_map,
    env_month_day,
    env_str,
    env_url,
)

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str(
    "SECRET_KEY",
    # A fixed development key only when DEBUG is on; a deployment without one refuses to start.
    "dev-insecure-key-change-me-0123456789abcdef0123456789" if DEBUG or env_bool("PORTAL_DEV", False) else None,
)


def _backup_key(name: str, value: str | None, *, development: bool) -> bytes:
    """32 bytes from base64; in development only, derived from SECRET_KEY when unset."""
    import base64
    import binascii

    if value is None:
        if not development:
            raise SettingError(name, "base64 of 32 random bytes (production must set it, outside the database)")
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal-platform:backup-encryption")
        return hkdf.derive(SECRET_KEY.encode())
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SettingError(name, "base64 of 32 random bytes", "<not base64>") from None
    if len(key) != 32:
        raise SettingError(name, "base64 of exactly 32 bytes", f"<{len(key)} bytes>")
    return key


# --- Platform domains -------------------------------------------------------------------------
# The provincial portal lives on PLATFORM_DOMAIN itself, component portals on
# <abbreviation>.PLATFORM_DOMAIN by default, and the control plane (console) on CONSOLE_HOST.
PLATFORM_DOMAIN = env_hostname("PLATFORM_DOMAIN", "nghean.localhost")
CONSOLE_HOST = env_hostname("CONSOLE_HOST", f"quantri.{PLATFORM_DOMAIN}")
# Host validation is done by the tenant router against the Domain table (unknown host → 404), which
# is stricter than a static list could be for domains added at run time.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])

# --- Applications -----------------------------------------------------------------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "provisioning",
    "portal_platform",
    # The shared search index (one table in the public schema over every portal's public items).
    "portal_platform.search",
    # Yearly reports, incident reports, evaluation scores (public schema: the console ranks every portal).
    "portal_platform.reports",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "accounts",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Failed-login records per schema: a lockout on one portal never touches another's users.
    "axes",
    # CAPTCHA challenges of the public forms: throwaway rows that belong to no portal, so one table
    # in the public schema (on every portal's search path) rather than one per portal schema.
    "captcha",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "accounts",
    "django.contrib.sessions",
    "django.contrib.admin",
    "axes",
    "content",
    # The back office's rich-text editor: its static files only (no models).
    "django_prose_editor",
    # No models: its sitemap.xml templates, for the public site's sitemap (content.public.sitemaps).
    "django.contrib.sitemaps",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

AUTH_USER_MODEL = "accounts.User"
TENANT_MODEL = "tenants.Portal"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# Only issue `SET search_path` when the schema actually changes on a connection (see benchmarks).
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "tenants.middleware.TenantRoutingMiddleware",
    # Right after routing: a cached public page skips everything below (content/public/cache.py).
    "content.public.cache.PublicPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (admin and site CSS) straight from the web process, cached forever by hash.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tenants.middleware.PortalSessionBindingMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout flagged during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal_platform.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "portal_platform.urls_public"
WSGI_APPLICATION = "portal_platform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal_platform.context_processors.portal_notices",
                "content.public.context_processors.site_layout",
            ],
        },
    },
]


# --- Database ---------------------------------------------------------------------------------
def _database(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SettingError("DATABASE_URL", "postgres://user:password@host:port/database", url)
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": unquote(name),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or 5432),
        # Persistent connections: with TENANT_LIMIT_SET_CALLS the search_path survives between
        # requests for the same portal, so a routed request costs no extra round trip.
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)},
        "TEST": {"NAME": env_str("DATABASE_TEST_NAME", f"test_{unquote(name)}")},
    }


DATABASE_URL = env_url(
    "DATABASE_URL",
    ("postgres", "postgresql"),
)
DATABASES = {"default": _database(DATABASE_URL)}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
# "default" keys are prefixed with the current schema (tenant isolation); "shared" is for the few
# platform-wide keys such as the routing version, which every process must see under one name.
CACHE_URL = env_url("CACHE_URL", ("redis", "rediss"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_FUNCTION": "tenants.cache.make_key",
        "KEY_PREFIX": "portal",
    },
    "shared": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "platform",
    },
}

# --- Public site ------------------------------------------------------------------------------
# How long an anonymous page stays in the page cache at most (seconds; 0 turns the cache off).
# Publishing, unpublishing and changes to menus, sections and settings retire pages at once; this
# bounds only what nothing announces (visit figures in the footer, a portal's other domains).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300, minimum=0)
# The province's online public-service portal: the "Dịch vụ công trực tuyến" entry of the main menu
# (TT 22/2023) on portals whose site template did not provide one, and the home page's link.
PUBLIC_SERVICE_URL = env_url("PUBLIC_SERVICE_URL", ("https",), "https://dichvucong.nghean.gov.vn")

# --- Host routing -----------------------------------------------------------------------------
# How often (seconds) each process compares its host → portal map with the version key in the
# shared cache. 0 checks on every request. See tenants/routing.py for why this is a version key.
TENANT_ROUTING_RECHECK_SECONDS = env_float("TENANT_ROUTING_RECHECK_SECONDS", 1.0)

# --- Provisioning ---------------------------------------------------------------------------------
# Spare schemas kept ready to be renamed into a new portal, per site template: each is migrated and
# pre-seeded with that template's roles and site content.
PROVISIONING_POOL_SIZE = env_int("PROVISIONING_POOL_SIZE", 3, minimum=0)
# The site templates the pool keeps spares of (comma-separated keys); empty means every template.
PROVISIONING_POOL_TEMPLATES = env_list("PROVISIONING_POOL_TEMPLATES", [])
# The ways to make a portal's schema, tried in this order.
PROVISIONING_SCHEMA_PATHS = env_list("PROVISIONING_SCHEMA_PATHS", ["pool", "clone", "migrate"])
if not set(PROVISIONING_SCHEMA_PATHS) <= {"pool", "clone", "migrate"} or not PROVISIONING_SCHEMA_PATHS:
    raise SettingError(
        "PROVISIONING_SCHEMA_PATHS",
        "a comma-separated list of pool, clone, migrate",
        ",".join(PROVISIONING_SCHEMA_PATHS),
    )
# Fault injection for tests only: "step=fail" or "step=sleep:<seconds>", comma-separated.
PROVISIONING_FAULTS = env_map("PROVISIONING_FAULTS", {})
# Planned downtime must be announced this many working days ahead (NĐ 64/2007 Đ16).
DOWNTIME_NOTICE_WORKING_DAYS = env_int("DOWNTIME_NOTICE_WORKING_DAYS", 7, minimum=0)
# Public holidays (not working days), dd/mm/yyyy, comma-separated.
PUBLIC_HOLIDAYS = env_dates("PUBLIC_HOLIDAYS", [])

# --- Reports and evaluation (portal_platform.reports) ----------------------------------------------
# The yearly report's cut-off day (Decision 80/2025 Đ15.7: figures from 10/12 of the previous year
# to 10/12, the report sent before 11/12). dd/mm.
REPORT_CUTOFF = env_month_day("REPORT_CUTOFF", (12, 10))
# A legal document counts as posted on time when it reaches the portal within this many days of its
# issue date (the reports' timeliness figure and the evaluation's criterion).
REPORT_LEGAL_DOCUMENT_DAYS = env_int("REPORT_LEGAL_DOCUMENT_DAYS", 7, minimum=0)

# --- Periodic reports and evaluation (portal_platform.reports.periodic, .evaluation) ------------
# How long a past period's provincial report stays in the shared cache (seconds; 0: never cached).
REPORT_PERIODIC_CACHE_SECONDS = env_int("REPORT_PERIODIC_CACHE_SECONDS", 600, minimum=0)
# Evaluation targets. update_frequency: articles a week that earn the full score.
EVALUATION_ARTICLES_PER_WEEK = env_float("EVALUATION_ARTICLES_PER_WEEK", 3.0, minimum=0.1)
# uptime: the availability (%) that scores 0; 100 % scores 100, linearly in between.
EVALUATION_UPTIME_FLOOR = env_float("EVALUATION_UPTIME_FLOOR", 95.0)
# backups_verified: the share of the period's days that must have a good, verified backup.
EVALUATION_BACKUP_DAYS_SHARE = env_float("EVALUATION_BACKUP_DAYS_SHARE", 0.9, minimum=0.01)

# --- Audit log ----------------------------------------------------------------------------------
# How long audit log entries are kept before the nightly purge removes them (12 months by default).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=1)

# --- Shared search ------------------------------------------------------------------------------
# At most this many matches (the newest) are ranked per query, so a broad query costs what a narrow
# one does; and matches are counted (total, facets) up to this limit.
SEARCH_CANDIDATES = env_int("SEARCH_CANDIDATES", 500, minimum=20)
SEARCH_COUNT_LIMIT = env_int("SEARCH_COUNT_LIMIT", 10000, minimum=100)
# A query whose rarest word is in at least this share of the index finds its newest matches by
# walking the newest entries (at most SEARCH_WALK_ROWS of them) instead of the GIN index.
SEARCH_COMMON_SHARE = env_float("SEARCH_COMMON_SHARE", 0.02)
SEARCH_WALK_ROWS = env_int("SEARCH_WALK_ROWS", 20000, minimum=100)
# Words in at least this share of the index are left out of the GIN lookup when the query's rarer
# words already narrow it down (they are checked on the rows found instead): reading the GIN lists
# of words such as "và" or "dân" costs more than checking a few hundred rows.
SEARCH_INDEX_WORD_SHARE = env_float("SEARCH_INDEX_WORD_SHARE", 0.2)
# A search taking longer than this (milliseconds) is stopped with the code search_timeout.
SEARCH_TIMEOUT_MS = env_int("SEARCH_TIMEOUT_MS", 3000, minimum=100)

# --- Job broker -------------------------------------------------------------------------------
BROKER_URL = env_url("BROKER_URL", ("amqp", "amqps", "redis", "rediss", "stub"))

# --- Object storage (S3 API, one code path everywhere) ------------------------------------------
S3_ENDPOINT_URL = env_url("S3_ENDPOINT_URL", ("http", "https"))
S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID")
S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY")
S3_REGION = env_str("S3_REGION", "us-east-1")
S3_BUCKET = env_str("S3_BUCKET", "portal-media")
STORAGES = {
    "default": {"BACKEND": "tenants.storage.TenantS3Storage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve from the apps' static folders when collectstatic has not run (make run, tests).
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"

# --- Media library (content.services.media) --------------------------------------------------------
# Upload limits, checked after the type is read from the file's content. The web server in front
# (nginx client_max_body_size) should refuse bodies above the larger one before Django reads them.
MEDIA_MAX_IMAGE_BYTES = env_int("MEDIA_MAX_IMAGE_BYTES", 10 * 1024 * 1024, minimum=1)
MEDIA_MAX_DOCUMENT_BYTES = env_int("MEDIA_MAX_DOCUMENT_BYTES", 50 * 1024 * 1024, minimum=1)
# Decompression bombs: a small file that decodes to a huge bitmap is refused before it is decoded.
# (Pillow's own ceiling, twice its MAX_IMAGE_PIXELS or about 179 megapixels, applies above this.)
MEDIA_MAX_IMAGE_PIXELS = env_int("MEDIA_MAX_IMAGE_PIXELS", 50_000_000, minimum=1)
# The formats accepted (keys of content.media_types.FILE_TYPES); narrowing is allowed, widening is not.
MEDIA_TYPES_KNOWN = ("jpeg", "png", "webp", "gif", "pdf", "doc", "docx", "xls", "xlsx", "odt", "ods")
MEDIA_ALLOWED_TYPES = env_list("MEDIA_ALLOWED_TYPES", list(MEDIA_TYPES_KNOWN))
if not MEDIA_ALLOWED_TYPES or not set(MEDIA_ALLOWED_TYPES) <= set(MEDIA_TYPES_KNOWN):
    raise SettingError(
        "MEDIA_ALLOWED_TYPES",
        f"a comma-separated list of {', '.join(MEDIA_TYPES_KNOWN)}",
        ",".join(MEDIA_ALLOWED_TYPES),
    )


def _renditions(raw: dict[str, str]) -> dict[str, int]:
    widths: dict[str, int] = {}
    for name, value in raw.items():
        if not name.isascii() or not name.replace("-", "").isalnum() or name != name.lower() or name == "goc":
            raise SettingError("MEDIA_IMAGE_RENDITIONS", "names in lower-case letters, digits and hyphens", name)
        try:
            widths[name] = int(value)
        except ValueError:
            raise SettingError("MEDIA_IMAGE_RENDITIONS", "name=width pairs with integer widths", value) from None
        if widths[name] < 16:
            raise SettingError("MEDIA_IMAGE_RENDITIONS", "widths of at least 16 pixels", value)
    return widths


# The image widths the site uses (name=width in pixels); an image is never enlarged.
MEDIA_IMAGE_RENDITIONS = _renditions(
    env_map("MEDIA_IMAGE_RENDITIONS", {"thumb": "320", "medium": "800", "large": "1600"})
)

# --- Backups of portals (provisioning.backups) ------------------------------------------------------
# Where backups go: an S3 bucket of their own (by default on the media store; a deployment should
# point BACKUP_S3_* at another store or account, so that losing one loses not both).
BACKUP_S3_ENDPOINT_URL = env_url("BACKUP_S3_ENDPOINT_URL", ("http", "https"), S3_ENDPOINT_URL)
BACKUP_S3_ACCESS_KEY_ID = env_str("BACKUP_S3_ACCESS_KEY_ID", S3_ACCESS_KEY_ID)
BACKUP_S3_SECRET_ACCESS_KEY = env_str("BACKUP_S3_SECRET_ACCESS_KEY", S3_SECRET_ACCESS_KEY)
BACKUP_S3_REGION = env_str("BACKUP_S3_REGION", S3_REGION)
BACKUP_S3_BUCKET = env_str("BACKUP_S3_BUCKET", "portal-backups")
# The AES-256 key every backup is encrypted with: base64 of 32 random bytes
# (`python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"`), best given as
# BACKUP_ENCRYPTION_KEY_FILE. Keep it OUTSIDE the database and outside the backup store: whoever has
# both can read every portal. Only in development is it derived from SECRET_KEY when unset.
BACKUP_ENCRYPTION_KEY = _backup_key(
    "BACKUP_ENCRYPTION_KEY",
    env_str("BACKUP_ENCRYPTION_KEY", "") or None,
    development=DEBUG or env_bool("PORTAL_DEV", False),
)
# Keys of earlier backups after a key change, to restore them (base64, comma-separated).
BACKUP_PREVIOUS_KEYS = [
    _backup_key("BACKUP_PREVIOUS_KEYS", k, development=False) for k in env_list("BACKUP_PREVIOUS_KEYS", [])
]
# Retention (grandfather-father-son): the newest good backup of each of the last N days, ISO weeks
# and months is kept; the newest good backup of a portal is never pruned.
BACKUP_RETENTION_DAILY = env_int("BACKUP_RETENTION_DAILY", 7, minimum=1)
BACKUP_RETENTION_WEEKLY = env_int("BACKUP_RETENTION_WEEKLY", 4, minimum=0)
BACKUP_RETENTION_MONTHLY = env_int("BACKUP_RETENTION_MONTHLY", 12, minimum=0)
# Nightly backups start at this hour (local time) and are spread over this many minutes.
BACKUP_NIGHTLY_HOUR = env_int("BACKUP_NIGHTLY_HOUR", 1, minimum=0)
BACKUP_SPREAD_MINUTES = env_int("BACKUP_SPREAD_MINUTES", 180, minimum=0)
# The restore drill's hour (a recent backup restored into a scratch schema and counted).
BACKUP_DRILL_HOUR = env_int("BACKUP_DRILL_HOUR", 5, minimum=0)
BACKUP_DRILLS_PER_NIGHT = env_int("BACKUP_DRILLS_PER_NIGHT", 3, minimum=0)
# How long the schema replaced by a restore in place is kept before it is dropped.
BACKUP_OLD_SCHEMA_KEEP_HOURS = env_int("BACKUP_OLD_SCHEMA_KEEP_HOURS", 72, minimum=0)
# Attempts of one backup when object storage fails, and the pause before each retry (seconds).
BACKUP_ATTEMPTS = env_int("BACKUP_ATTEMPTS", 3, minimum=1)
BACKUP_RETRY_DELAY_SECONDS = env_float("BACKUP_RETRY_DELAY_SECONDS", 30.0)
# Size of each part of a multipart upload (S3 needs at least 5 MiB) and parallel part uploads.
BACKUP_PART_SIZE = env_int("BACKUP_PART_SIZE", 16 * 1024 * 1024, minimum=5 * 1024 * 1024)
BACKUP_UPLOAD_THREADS = env_int("BACKUP_UPLOAD_THREADS", 4, minimum=1)
# pg_dump's compression level (zlib, 0–9) for the database part. Level 1 dumps a text-heavy portal
# about five times faster than pg_dump's default (6) for about 20 % more bytes (bench/backup.py).
BACKUP_PG_DUMP_COMPRESSION = env_int("BACKUP_PG_DUMP_COMPRESSION", 1, minimum=0)
if BACKUP_PG_DUMP_COMPRESSION > 9:
    raise SettingError("BACKUP_PG_DUMP_COMPRESSION", "a zlib level from 0 to 9", str(BACKUP_PG_DUMP_COMPRESSION))
# A ceiling on the throughput of the nightly (scheduled) backups (MB/s of plain data, both parts
# together; 0: none), so that they leave CPU and disk to the pages; and the same for backups asked for
# by a person ("back up now", manage.py backup: none by default, they run at full speed). A restore's
# safety backup is never limited. See docs/benchmarks.md "Backups" for the figures behind the defaults.
BACKUP_RATE_LIMIT_MB_S = env_float("BACKUP_RATE_LIMIT_MB_S", 5.0)
BACKUP_MANUAL_RATE_LIMIT_MB_S = env_float("BACKUP_MANUAL_RATE_LIMIT_MB_S", 0.0)
# Backups (nightly and on request, not a restore's safety backup) run at the lowest CPU and IO
# priority (SCHED_IDLE, nice 19, IO class idle; infra/priority.py), and so does the PostgreSQL backend
# serving their pg_dump when the database server is on the same machine and this process may change
# its priority (root, CAP_SYS_NICE or the postgres user); elsewhere that part is skipped and noted
# in the job's "database" step.
BACKUP_LOW_PRIORITY = env_bool("BACKUP_LOW_PRIORITY", True)
BACKUP_LOW_PRIORITY_DATABASE = env_bool("BACKUP_LOW_PRIORITY_DATABASE", True)
# Media objects fetched at once while a backup streams them.
BACKUP_MEDIA_THREADS = env_int("BACKUP_MEDIA_THREADS", 8, minimum=1)
# An active portal without a good backup this old is reported on the console and /readyz.
BACKUP_MAX_AGE_HOURS = env_int("BACKUP_MAX_AGE_HOURS", 36, minimum=1)
# Seconds to wait after a portal goes read-only before its safety backup, so that every process
# has seen the flag (routing recheck) and requests already inside have finished.
BACKUP_READ_ONLY_SETTLE_SECONDS = env_float("BACKUP_READ_ONLY_SETTLE_SECONDS", 3.0)
# Fault injection for tests only: "<part or step>=fail|sleep:<s>|sleep_after:<bytes>:<s>", comma-separated.
BACKUP_FAULTS = env_map("BACKUP_FAULTS", {})

# --- Sessions and cookies -----------------------------------------------------------------------
# Host-only cookies: no Domain attribute, so a cookie set by one portal is never sent to another
# portal's sub-domain. The session is also bound to its schema (PortalSessionBindingMiddleware).
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not env_bool("PORTAL_DEV", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is then an idle time-out

PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# --- Accounts and passwords ---------------------------------------------------------------------
# Decision 80/2025 Đ10.2.d–đ and Đ14.4: account names, password rules, lockout, session lifetime.
# The console's own abbreviation: its operators are admin.<this>, <name>.<this>.
CONSOLE_ABBREVIATION = env_str("CONSOLE_ABBREVIATION", "cttdt")
# The regulation's floor is 8 characters; the platform asks for more by default.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12, minimum=8)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=1)  # "at least every 3 months"
PASSWORD_EXPIRY_WARNING_DAYS = env_int("PASSWORD_EXPIRY_WARNING_DAYS", 14, minimum=0)
# However active a session is, it ends this long after the login (the idle time-out is above).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 8 * 60 * 60, minimum=60)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "accounts.validators.CharacterClassesValidator"},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {
        "NAME": "accounts.validators.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
]
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out (username, address) before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: failures counted per (username, address) in the schema of the portal being logged
# into (its tables are in every schema), so a flood on one portal cannot lock out another's users.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# The Vietnamese lockout page, with the cool-off in minutes (429 Too Many Requests).
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# The same address the audit log records (REMOTE_ADDR, set by the trusted reverse proxy).
AXES_CLIENT_IP_CALLABLE = "portal_platform.audit.client_ip"
# Unlocking is an action on the account list; axes' own admin screens exist only in English.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_COOLOFF_MESSAGE = _("This account is locked after too many failed logins. Try again later.")
AXES_PERMALOCK_MESSAGE = _("This account is locked after too many failed logins. Ask your portal administrator.")

# --- Citizens' questions and comments on drafts (content.views_citizens) ---------------------------
# Submissions a client address may make per hour on one portal (each form counted on its own); a
# flood beyond that gets the 429 page and nothing is stored.
CITIZEN_SUBMISSIONS_PER_HOUR = env_int("CITIZEN_SUBMISSIONS_PER_HOUR", 5, minimum=1)
# django-simple-captcha: the real check, always. Tests switch its test mode on where they need it.
CAPTCHA_TEST_MODE = False
# Minutes a challenge stays valid: long enough to type a question.
CAPTCHA_TIMEOUT = env_int("CAPTCHA_TIMEOUT_MINUTES", 30, minimum=1)
CAPTCHA_LENGTH = 5

# --- Internationalisation: Vietnamese first -------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "portal_platform.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens are console-only: on a portal's host they would resolve to the wrong schema's account.
        "portal_platform.authentication.ConsoleTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "accounts.middleware.PasswordChangeNotRequired",
        "portal_platform.permissions.IsOperator",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Nền tảng Cổng Thông tin điện tử — API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several models have a field called "kind" (pages, media files, portals): name each enum.
    "ENUM_NAME_OVERRIDES": {
        "PageKindEnum": "content.models.site.PageKind",
        "MediaKindEnum": "content.models.media.MediaKind",
        # Reports (issue 9): incidents.
        "IncidentKindEnum": "portal_platform.reports.models.IncidentKind",
        "IncidentSeverityEnum": "portal_platform.reports.models.IncidentSeverity",
        "IncidentStatusEnum": "portal_platform.reports.models.IncidentStatus",
    },
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
