"""Django settings for ktxh. Everything that varies comes from the environment.

KTXH_HOME      folder for the SQLite database and local secrets (default ./var)
DATABASE_URL   e.g. postgres://user@127.0.0.1:5432/ktxh; default SQLite (WAL) in KTXH_HOME
KTXH_SECRET_KEY  required when KTXH_PRODUCTION is on; otherwise kept in KTXH_HOME/secret_key
KTXH_DEBUG, KTXH_ALLOWED_HOSTS

Production (``ktxh serve --production`` sets KTXH_PRODUCTION=1; see docs/deploy.md):
KTXH_SECURE_COOKIES        session and CSRF cookies only over HTTPS (default: on in production)
KTXH_HSTS_SECONDS          Strict-Transport-Security max-age (default 0: off until HTTPS works)
KTXH_HSTS_SUBDOMAINS       add includeSubDomains to HSTS (default off)
KTXH_BEHIND_PROXY          trust X-Forwarded-Proto from the reverse proxy (default off)
KTXH_SSL_REDIRECT          redirect plain HTTP to HTTPS in the app (default off: the proxy does it)
KTXH_CSRF_TRUSTED_ORIGINS  e.g. https://ktxh.thanhmien.gov.vn (comma-separated)
KTXH_STATIC_ROOT           where collectstatic writes (default KTXH_HOME/static)
KTXH_LOG_LEVEL             WARNING by default, INFO for the production server
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str, ktxh_home

BASE_DIR = Path(__file__).resolve().parent
HOME = ktxh_home()
PRODUCTION = env_bool("KTXH_PRODUCTION", False)
DEBUG = env_bool("KTXH_DEBUG", False)
if PRODUCTION and DEBUG:
    # DEBUG pages show settings and code to anyone who triggers an error.
    raise ImproperlyConfigured("KTXH_DEBUG phải tắt khi chạy production (KTXH_PRODUCTION=1).")


def _secret_key() -> str:
    key = (env_str("KTXH_SECRET_KEY") or "").strip()
    if key:
        if PRODUCTION and len(key) < 32:
            raise ImproperlyConfigured("KTXH_SECRET_KEY quá ngắn: cần ít nhất 32 ký tự ngẫu nhiên.")
        return key
    if PRODUCTION:
        # Several processes (and several machines) must sign sessions with the same key, and
        # a key made on the fly would log everyone out at each restart: it has to be given.
        raise ImproperlyConfigured(
            "Thiếu biến môi trường KTXH_SECRET_KEY (bắt buộc khi chạy production). "
            "Tạo một khóa bằng: python3 -c 'import secrets; print(secrets.token_urlsafe(50))' "
            "rồi ghi vào tệp môi trường (xem docs/deploy.md)."
        )
    path = HOME / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    HOME.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("KTXH_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ktxh.web.catalog",
    "ktxh.web.orgunits",
    "ktxh.web.datavalues",
    "ktxh.web.dashboard",
    "ktxh.web.accounts",
    "ktxh.web.workflow",
    "ktxh.web.entry",
    "ktxh.web.drafting",
    "ktxh.web.imports",
    "ktxh.web.api",
    "django_htmx",
    "axes",
    "ninja",  # its Swagger UI files, served locally instead of from a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ktxh.web.middleware.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese unless the user picks English: the browser's own language is not asked.
    "ktxh.web.middleware.IgnoreBrowserLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ktxh.web.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Counts failed logins per user name and address and refuses after AXES_FAILURE_LIMIT.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out login may try again after 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

ROOT_URLCONF = "ktxh.web.urls"
WSGI_APPLICATION = "ktxh.web.wsgi.application"

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
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = env_str("DATABASE_URL")
    if url:
        # Connections are kept a minute, and checked before reuse: after PostgreSQL restarts,
        # the first request of each worker reconnects instead of failing.
        return {"default": dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)}
    HOME.mkdir(parents=True, exist_ok=True)
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": HOME / "ktxh.sqlite3",
            "OPTIONS": {
                # WAL lets readers go on while one office saves; IMMEDIATE avoids
                # "database is locked" upgrades in the middle of a write transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify, and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["ktxh.web.formats"]
USE_THOUSAND_SEPARATOR = True

# What is costly to draw (the overview's sector tables, the entry form's table) is kept on disk
# and shared by the server's processes. Keys are made of stamps of the data a fragment shows
# (ktxh.web.fragments), so a change is seen at once by every process and nothing needs to be
# invalidated; old entries are culled past MAX_ENTRIES.
CACHES = {
    "default": {
        "BACKEND": "ktxh.web.filecache.SharedFileCache",
        "LOCATION": str(HOME / "cache"),
        "TIMEOUT": 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 3000},
    }
}

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("KTXH_STATIC_ROOT") or HOME / "static").resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production serves the files ``ktxh serve --production`` collected at start: compressed,
    # with a content hash in their names, so browsers may cache them for a year.
    "staticfiles": {
        "BACKEND": "ktxh.web.production.GzipManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve static files from the app folders without a collectstatic step (demo, closed networks).
WHITENOISE_USE_FINDERS = not PRODUCTION

# Sessions are stored in the database and read through the shared cache: one file read instead
# of a query on every request. Logging out removes both; a restore (--replace) clears the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# Cookies only over HTTPS in production. An office trying the app on plain HTTP first sets
# KTXH_SECURE_COOKIES=0, or nobody could log in (the browser would not send the cookies back).
SESSION_COOKIE_SECURE = env_bool("KTXH_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_TRUSTED_ORIGINS = env_list("KTXH_CSRF_TRUSTED_ORIGINS", [])
# Sent on every response (SecurityMiddleware, XFrameOptionsMiddleware), production or not.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS is off until asked for: once a browser has seen it, it refuses plain HTTP to this host
# for that many seconds, so an office still on HTTP, or with a certificate not yet trusted by
# every machine, would lock itself out. Start with 3600, then 31536000 (docs/deploy.md).
SECURE_HSTS_SECONDS = env_int("KTXH_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KTXH_HSTS_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
# Behind nginx terminating TLS: trust its X-Forwarded-Proto, so Django knows the request was
# HTTPS (secure redirects, CSRF origin checks). Only when the proxy sets (overwrites) it.
if env_bool("KTXH_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("KTXH_SSL_REDIRECT", False)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "login"
# Spreadsheets and past reports are uploaded; anything bigger is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KTXH_MAX_UPLOAD_BYTES = env_int("KTXH_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)

# Logs go to the console, for systemd's journal, with a time and a level. The production
# server logs to stdout, next to gunicorn's access line per request (``ktxh serve
# --production`` sets KTXH_LOG_STDOUT); every other command to stderr, which keeps the JSON
# the CLI prints on stdout clean even with KTXH_PRODUCTION=1 in the environment file.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout" if env_bool("KTXH_LOG_STDOUT", False) else "ext://sys.stderr",
            "formatter": "plain",
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_str("KTXH_LOG_LEVEL", "INFO" if env_bool("KTXH_LOG_STDOUT", False) else "WARNING"),
    },
    # Django's own request log (4xx warnings, 5xx errors with the traceback).
    "loggers": {"django.request": {"level": "WARNING"}, "django.db.backends": {"level": "WARNING"}},
}
