"""Settings for the dxscore web platform, read from the environment.

``DXSCORE_HOME`` (default ``./dxscore-data``) is the workspace folder: the SQLite database,
uploaded files and the secret key live there. ``DATABASE_URL`` selects another database
(``postgres://user:password@host:5432/name``). Nothing is written at import time.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from dxscore import safefiles

PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("DXSCORE_HOME", "./dxscore-data")).resolve()
UPLOAD_DIR = HOME / "uploads"
SECRET_KEY_FILE = HOME / "secret_key"


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes")


def _secret_key() -> str:
    """The key from the environment, else the workspace's key file (``dxscore serve``
    creates it), else a key for this process only (sessions then end with it)."""
    if os.environ.get("DXSCORE_SECRET_KEY"):
        return os.environ["DXSCORE_SECRET_KEY"]
    if SECRET_KEY_FILE.exists():
        return SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = _flag("DXSCORE_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DXSCORE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DXSCORE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",  # django-csp: its checks of the policy settings
    "simple_history",
    "dxscore.web.orgs",
    "dxscore.web.data",
    "dxscore.web.scores",
    "dxscore.web.dashboards",
    "dxscore.web.plans",
    "dxscore.web.inspections",
    "dxscore.web.contests",  # online contests and the initiatives competition
    "dxscore.web.assessments",  # self-assessments and surveys (docs/assessments.md)
    "dxscore.web.dossierdata",
    "dxscore.web.provenance",  # marks of demo content (dxscore demo writes them)
    "dxscore.web.assistant",  # the procedure assistant for staff (docs/assistant.md)
    "ninja",  # django-ninja: its Swagger UI files, served locally (no CDN)
    "dxscore.web.api",
    "dxscore.web",  # templates, static files and translations of the site itself
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy of every page (below)
    "dxscore.web.api.problems.ProblemMiddleware",  # errors under /api/v1/ as RFC 9457
    "dxscore.web.diskfull.DiskFullMiddleware",  # a full disk said as such (507)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "dxscore.web.language.ApiLanguageMiddleware",  # ?lang= under /api/v1/ (docs/api.md)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dxscore.web.urls"
WSGI_APPLICATION = "dxscore.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dxscore.web.views.site_context",
                "dxscore.web.plans.context.notices",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        keep = int(os.environ.get("DXSCORE_DB_CONN_MAX_AGE", "60"))
        return dj_database_url.parse(url, conn_max_age=keep, conn_health_checks=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": HOME / "dxscore.sqlite3",
        "OPTIONS": {
            # writers queue instead of failing; IMMEDIATE takes the write lock up front so
            # two imports never deadlock upgrading a read lock
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# lock-out after repeated failures (django-axes)
AXES_FAILURE_LIMIT = int(os.environ.get("DXSCORE_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DXSCORE_LOCKOUT_HOURS", "0.5"))
# a lock-out holds for one account from one address: anyone may type a colleague's name,
# so an account alone would let one person lock everybody out, and an address alone would
# lock out a whole office behind one NAT (docs/security.md, "Reverse proxy")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "dxscore.web.proxy.client_address"  # waitress's REMOTE_ADDR
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"

# sessions and cookies
HTTPS = _flag("DXSCORE_HTTPS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# https is known from waitress (wsgi.url_scheme), which takes X-Forwarded-Proto only from
# the trusted proxy (DXSCORE_TRUSTED_PROXY, see ``dxscore serve``): never from a header
# here, which any request could carry. HSTS is sent on https requests only.
if HTTPS:
    SECURE_HSTS_SECONDS = int(os.environ.get("DXSCORE_HSTS_SECONDS", "31536000"))

# Content-Security-Policy (django-csp; docs/security.md, "Content-Security-Policy"): the
# pages load scripts, styles, images and fonts from the site itself only; no inline script,
# event handler or style attribute runs, no plugin loads, no other site may frame a page
# or receive a form. Two inline style elements are allowed by their hash, both Plotly.js's
# (the bundled 4.1.1): the empty <style> it fills through the CSSOM (which CSP does not
# govern) and the fixed stylesheet of its map library; an injected empty <style> does
# nothing, and tests/web/test_csp.py checks that the bundle still holds that stylesheet.
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # "" (plotly.js-style-global)
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # maplibre-gl's CSS
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *PLOTLY_STYLE_HASHES],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# uploads: kept outside the web root, served only through views that check scope
MEDIA_ROOT = UPLOAD_DIR
MEDIA_URL = "/uploads/"  # no route serves it: files go out through views that check scope
# What an upload may hold before anything parses it (dxscore.safefiles, docs/security.md):
# the site's spreadsheets (values, targets and tasks) and dossier files (the upload form,
# the worker and `dxscore dossiers import` read the same variables).
DXSCORE_UPLOAD_LIMITS = safefiles.upload_limits(os.environ)
DXSCORE_DOSSIER_LIMITS = safefiles.dossier_limits(os.environ)
MAX_UPLOAD_BYTES = DXSCORE_UPLOAD_LIMITS.max_bytes
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# static files come from the repository and installed packages; whitenoise serves them
STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"  # `dxscore serve` collects the files here
# `dxscore serve` (and `dxscore demo`) collect the static files with hashed names and
# gzip/brotli copies, so whitenoise serves them compressed with a one-year cache; tests
# and `runserver` read them from the finders as they are
STATIC_COLLECTED = os.environ.get("DXSCORE_STATIC_COLLECTED", "") == "1"
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "dxscore.web.staticstorage.CollectedStatic"
            if STATIC_COLLECTED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
STATICFILES_FINDERS = [  # plus Plotly's bundled JavaScript from the installed package
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dxscore.web.dashboards.finders.PlotlyFinder",
]
# dashboards: a GeoJSON file of unit boundaries turns the tile map into a real map
DXSCORE_GEOJSON = os.environ.get("DXSCORE_GEOJSON", "")
DXSCORE_GEOJSON_CODE = os.environ.get("DXSCORE_GEOJSON_CODE", "code")
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = os.environ.get("DXSCORE_LANGUAGE", "en")
LANGUAGES = [("en", _("English")), ("vi", _("Vietnamese")), ("ar", _("Arabic")), ("hi", _("Hindi"))]
# the digits numbers are written in on pages, PDFs and e-mails (docs/languages.md, "Digits"):
# "locale" (the CLDR's default for the language: Western for Arabic and Hindi), "native"
# (the language's own: Arabic-Indic, Devanagari) or "western" (0-9 in every language);
# typed numbers are read in Western and native digits whatever this says
DXSCORE_DIGITS = os.environ.get("DXSCORE_DIGITS", "locale").strip().lower() or "locale"
if DXSCORE_DIGITS not in ("locale", "native", "western"):
    raise ValueError("DXSCORE_DIGITS must be locale, native or western")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("DXSCORE_TIME_ZONE", "Asia/Ho_Chi_Minh")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DXSCORE_LOG_LEVEL", "WARNING")},
}

# e-mail for notices (``dxscore notify``): Django's SMTP settings from the environment
EMAIL_HOST = os.environ.get("DXSCORE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DXSCORE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DXSCORE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DXSCORE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("DXSCORE_EMAIL_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DXSCORE_EMAIL_FROM", "dxscore@localhost")
# "smtp" (the settings above) or "console" (mail printed to the server's output: the demo)
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}[os.environ.get("DXSCORE_EMAIL_BACKEND", "smtp").strip().lower() or "smtp"]
# score runs (docs/dashboards.md, publishing): publishing a run whose share of the values
# it should have is below this asks for an explicit "publish anyway"
DXSCORE_PUBLISH_MIN_COVERAGE = float(os.environ.get("DXSCORE_PUBLISH_MIN_COVERAGE", "0.9"))
if not 0 <= DXSCORE_PUBLISH_MIN_COVERAGE <= 1:
    raise ValueError("DXSCORE_PUBLISH_MIN_COVERAGE must be between 0 and 1 (a share)")
# a calendar subscription address stops working after this many days (make a new one)
DXSCORE_CALENDAR_FEED_DAYS = int(os.environ.get("DXSCORE_CALENDAR_FEED_DAYS", "365"))
DXSCORE_SITE_URL = os.environ.get("DXSCORE_SITE_URL", "http://localhost:8000").rstrip("/")

# JSON API (dxscore.web.api): requests per token and window; where API dossier batches go
DXSCORE_API_RATE = os.environ.get("DXSCORE_API_RATE", "1200/min")
DXSCORE_DOSSIER_STORE = Path(os.environ.get("DXSCORE_DOSSIER_STORE", HOME / "dossiers")).resolve()
# the procedure assistant's library (dxscore.assistant; `dxscore assistant --store`)
DXSCORE_ASSISTANT_STORE = Path(
    os.environ.get("DXSCORE_ASSISTANT_STORE", HOME / "assistant")
).resolve()
# the assistant's declined questions and feedback (they may hold personal data) are
# removed after this many days (dxscore.web.assistant.retention, `dxscore assistant purge`)
DXSCORE_ASSISTANT_KEEP_DAYS = int(os.environ.get("DXSCORE_ASSISTANT_KEEP_DAYS", "180"))
if DXSCORE_ASSISTANT_KEEP_DAYS < 1:
    raise ValueError("DXSCORE_ASSISTANT_KEEP_DAYS must be at least 1 (days)")
# dossier files uploaded in the site (dxscore.web.dossierdata); the worker imports them
DXSCORE_MAX_DOSSIER_UPLOAD_BYTES = DXSCORE_DOSSIER_LIMITS.max_bytes
# the worker's hold on a running job (renewed while it runs) and how often a job is tried
# when its worker stops before finishing it (docs/operations.md, background worker)
DXSCORE_JOB_LEASE_SECONDS = float(os.environ.get("DXSCORE_JOB_LEASE_SECONDS", "60"))
DXSCORE_JOB_MAX_ATTEMPTS = int(os.environ.get("DXSCORE_JOB_MAX_ATTEMPTS", "3"))

# online contests (docs/contests.md): requests per network address to the participant
# pages, one-time codes per identity and per address, and an e-mail-to-SMS gateway for
# codes to phones ("{phone}@sms.example.vn"; without it, codes go to e-mail addresses only)
DXSCORE_CONTEST_IP_RATE = os.environ.get("DXSCORE_CONTEST_IP_RATE", "600/min")
DXSCORE_CONTEST_CODE_RATE = os.environ.get("DXSCORE_CONTEST_CODE_RATE", "5/hour")
DXSCORE_CONTEST_SMS_GATEWAY = os.environ.get("DXSCORE_CONTEST_SMS_GATEWAY", "")
# self-assessments and surveys (docs/assessments.md): a figure of fewer sheets than this is
# suppressed; requests that send or check an e-mail code, or start a rating, per client
# address and per e-mail address; how long an e-mail code is valid
DXSCORE_SURVEY_MIN_COUNT = int(os.environ.get("DXSCORE_SURVEY_MIN_COUNT", "5"))
DXSCORE_SURVEY_RATE = os.environ.get("DXSCORE_SURVEY_RATE", "20/hour")
DXSCORE_SURVEY_CODE_MINUTES = int(os.environ.get("DXSCORE_SURVEY_CODE_MINUTES", "15"))
# the engine of the worker's measures job: duckdb (in the worker) or spark (local mode, or
# the cluster of DXSCORE_SPARK_MASTER reading DXSCORE_SPARK_STORE, a Spark-readable path
# of the dossier store; default the store's own folder) (docs/operations.md)
DXSCORE_DOSSIER_ENGINE = os.environ.get("DXSCORE_DOSSIER_ENGINE", "duckdb").strip().lower()
DXSCORE_SPARK_MASTER = os.environ.get("DXSCORE_SPARK_MASTER", "").strip()
DXSCORE_SPARK_STORE = os.environ.get("DXSCORE_SPARK_STORE", "").strip()
