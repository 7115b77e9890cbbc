"""PAR Plan settings: one file, driven by environment variables.

Development needs no variable at all (SQLite in the project folder, DEBUG on).
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; see README.md.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} phải là có/không (1/0, true/false), không phải {raw!r}"
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} phải là một số nguyên, không phải {raw!r}"
        ) from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# A real server (DEBUG=0 in the environment). Kept apart from DEBUG, which the test
# runner turns off: ``load_demo`` refuses to run on a deployed server without --force.
DEPLOYED = not DEBUG

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY phải được đặt khi DEBUG tắt (DEBUG=0): một chuỗi ngẫu nhiên dài"
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "axes",
    "parplan",
    "criteria",
    "tasks",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parplan.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before CSRF's check, which would read (and spool) the body.
    "parplan.middleware.request_body_limit",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parplan.middleware.password_change_required",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "parplan.middleware.private_no_store",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

# Every page: scripts and style sheets only from the site itself (htmx is vendored,
# no template has an inline script or <style>); style attributes stay allowed for the
# progress bars' widths and the charts' legends.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "parplan.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parplan.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "parplan.wsgi.application"

# SQLite in the project folder unless DATABASE_URL says otherwise
# (postgres://user:password@host:5432/name in production).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A deferred transaction that reads and then writes cannot wait for another
    # writer: SQLite answers "database is locked" at once. Taking the write lock at
    # BEGIN makes writers queue for up to ``timeout`` seconds instead, and WAL lets
    # pages be read while a progress report is written. Connections persist
    # (``DB_CONN_MAX_AGE``) as on PostgreSQL: an idle connection in autocommit holds
    # no read snapshot, so WAL checkpoints go on; the preview copy
    # (parplan.preview_db) and a restore (parplan.backup) go through SQLite's backup
    # API into the same file, which every open connection sees; and opening one per
    # request cost about a tenth of a signed-in page's time.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

# An import's dry run on SQLite works on a copy of the database (parplan.preview_db).
DATABASE_ROUTERS = ["parplan.preview_db.PreviewRouter"]


def cache_from_url(name: str, raw: str) -> dict[str, Any]:
    """Django's cache from ``redis://host:port/db`` (or ``rediss://``); local memory
    (per process) from an empty value or ``locmem://``."""
    if raw in ("", "locmem://"):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    parts = urlsplit(raw)
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} có cổng không hợp lệ: {raw!r}") from exc
    database = parts.path.strip("/")
    if (
        parts.scheme not in ("redis", "rediss")
        or not parts.hostname
        or port == 0
        or (database and not database.isdigit())
    ):
        raise ImproperlyConfigured(
            f"{name} phải có dạng redis://máy:cổng/số (hoặc locmem://), không phải {raw!r}"
        )
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": raw,
        # Redis down costs a page a quarter of a second, not a hung worker: the
        # figures are then computed (reports.figures_cache).
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }


# The cache of the plan's figures (reports.figures_cache): CACHE_URL, else REDIS_URL.
CACHE_SETTING = "CACHE_URL" if os.environ.get("CACHE_URL") else "REDIS_URL"
CACHES = {
    "default": {
        **cache_from_url(CACHE_SETTING, os.environ.get(CACHE_SETTING, "").strip()),
        "KEY_PREFIX": "parplan",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's rules, with their messages in Vietnamese (Django's catalogue lacks them).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "parplan.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "parplan.passwords.MinimumLengthValidator"},
    {"NAME": "parplan.passwords.CommonPasswordValidator"},
    {"NAME": "parplan.passwords.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account or address is refused before any password
    # is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in throttling: after AXES_FAILURE_LIMIT wrong passwords for one account, or from
# one address, that account or address waits AXES_COOLOFF_MINUTES; the office unlocks
# earlier by deleting the attempt in the admin ("Access attempts") or with
# ``manage.py axes_reset_username NAME`` / ``axes_reset_ip ADDRESS``.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Quiet: its banner would start every command's output (and the one-line errors).
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "parplan.views.sign_in_locked"
# Behind AXES_PROXY_COUNT proxies the client's address is read from X-Forwarded-For
# (parplan/client_ip.py), not the proxy's REMOTE_ADDR.
# (AXES_PROXY_COUNT is the environment's name; axes itself deprecated that setting.)
PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0 if DEBUG else 1)
AXES_CLIENT_IP_CALLABLE = "parplan.client_ip.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploaded evidence lives outside the static tree and is served only through a
# view that checks the user is signed in.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# Room for the multipart envelope (the form's other fields) around a file of the
# largest accepted size; a larger body is refused before it is read
# (parplan.middleware.request_body_limit), and so is any body over
# ANONYMOUS_BODY_MAX_BYTES from someone not signed in (a sign-in form is far smaller).
UPLOAD_ENVELOPE_BYTES = 64 * 1024
ANONYMOUS_BODY_MAX_BYTES = env_int("ANONYMOUS_BODY_MAX_BYTES", 64 * 1024)
# What an imported table (.xlsx, .csv, pasted text) may hold, counted in what the file
# really contains while it is read; a file over any of them is refused with the limit's
# name. Rows count from the top of the sheet, empty ones included; columns up to the
# last non-empty cell; cells and text over the whole file; shared strings are the
# texts an .xlsx keeps once for all its cells (openpyxl loads them all).
TABLE_MAX_ROWS = env_int("TABLE_MAX_ROWS", 50_000)
TABLE_MAX_COLUMNS = env_int("TABLE_MAX_COLUMNS", 100)
TABLE_MAX_CELLS = env_int("TABLE_MAX_CELLS", 300_000)
TABLE_MAX_SHARED_STRINGS = env_int("TABLE_MAX_SHARED_STRINGS", 200_000)
TABLE_MAX_CELL_CHARS = env_int("TABLE_MAX_CELL_CHARS", 32_767)  # Excel's own limit
TABLE_MAX_TEXT_CHARS = env_int("TABLE_MAX_TEXT_CHARS", 10_000_000)
# Import files waiting between their preview and their confirmation (private, 0700).
IMPORT_STAGING_DIR = Path(
    os.environ.get("IMPORT_STAGING_DIR")
    or Path(tempfile.gettempdir()) / "parplan-imports"
)

# Reminders (``send_reminders``) go through Django's e-mail backend: the console by
# default; set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST
# (EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS) to send for real.
EMAIL_BACKEND = (
    os.environ.get("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "parplan@localhost")
# "Quên mật khẩu?" on the sign-in page sends a reset link by e-mail: offered only
# when e-mail really leaves the server (a backend other than the console, memory or
# dummy ones), or when PARPLAN_PASSWORD_RESET says so (1 forces it on, 0 off).
PASSWORD_RESET_ENABLED = env_bool(
    "PARPLAN_PASSWORD_RESET",
    not any(
        f".backends.{kind}." in EMAIL_BACKEND for kind in ("console", "locmem", "dummy")
    ),
)

IMPORT_EXPORT_USE_TRANSACTIONS = True
# The admin's uploads wait in IMPORT_STAGING_DIR like the pages' (removed within an
# hour). Its exports escape formula-like texts themselves (parplan.admin_imports).
IMPORT_EXPORT_TMP_STORAGE_CLASS = "parplan.admin_imports.StagedTempStorage"
# The admin's Import button needs the model's change permission (only the office's
# group has it), exporting its view permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

SIMPLE_HISTORY_REVERT_DISABLED = True

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is hard to undo (browsers keep the list for months): only on request.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:  # a choice, not an oversight: no W021 warning
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# An expired or missing form token: the site's page, with its menu.
CSRF_FAILURE_VIEW = "parplan.error_views.csrf_failure"
# Sessions stay in the database (Django's default), whatever the cache. cached_db
# would read them from Redis first and fail with it: Redis down would answer every
# signed-in page with an error, where the figures' cache only costs their computation.
# With a per-process local-memory cache a session signed out in one worker would stay
# in another's. Signed-cookie sessions are refused: a copied cookie would outlive its
# sign-out, and the office could not end a person's sessions. Measured
# (bench/session_engines.py, CPU per request): the database's session costs /ping
# about 0.7 ms of 3.6 on SQLite and 1.2 of 5.2 on PostgreSQL, the warm dashboard as
# much of 12.5 and 17: too little to give that up for.
