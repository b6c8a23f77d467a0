"""
Settings for the retail back office, read from the environment.

Development needs nothing set: DEBUG is on, SQLite lives next to manage.py and a throwaway
secret key is used. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; a
missing or malformed value stops the process instead of being guessed.
"""

import ipaddress
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean such as 1 or 0, not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The project's own apps: their models are what the audit trail can be filtered by.
PROJECT_APPS = [
    "backoffice",
    "stores",
    "customers",
    "loyalty",
    "memberships",
    "house_accounts",
    "imports",
    "registers",
    "sales",
    "privacy",
]
INSTALLED_APPS = [
    "backoffice.apps.BackofficeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_filters",
    "phonenumber_field",
    "django_tables2",
    "jobs",  # before django_tasks_db and django_rq: their workers are the project's own
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    *PROJECT_APPS,
]

MIDDLEWARE = [
    "backoffice.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "backoffice.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backoffice.middleware.RequestLimitsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
CSRF_FAILURE_VIEW = "backoffice.views.csrf_failure"
WSGI_APPLICATION = "backoffice.wsgi.application"

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
                "stores.context_processors.store_choice",
            ],
        },
    },
]

# SQLite by default so that a new user needs nothing else; PostgreSQL in production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two concurrent saves queue
    # instead of failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling (django-axes): five failures lock that username from that address for
# a while; other people, and the same person from elsewhere, can still sign in.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "backoffice.http.client_ip"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "customers:list"
LOGOUT_REDIRECT_URL = "login"

# A shift's worth of work; the session ends after 8 hours without a request, and when the
# browser closes (tills and back-office computers are shared).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
# Requests that change nothing in the session only push its expiry forward: written back
# whole, a slow one (a photo) undid a change made meanwhile (a store chosen in the top bar).
SESSION_ENGINE = "backoffice.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# A request body larger than this is refused before it is read (photos are at most 5 MB).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_MB", 10) * 1024 * 1024
# Customer imports take files of up to 100 MB (imports.reading.MAX_BYTES), plus the form.
MAX_UPLOAD_REQUEST_BYTES = 101 * 1024 * 1024
LARGE_UPLOAD_PATHS = {"/customers/import/"}
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Behind a proxy that terminates TLS, the client's address is read from X-Forwarded-For,
# as written by the last TRUSTED_PROXY_COUNT proxies (backoffice.http.client_ip), when the
# request comes from one of TRUSTED_PROXY_IPS (addresses or networks): a request reaching
# the app's port directly is judged by its own address, whatever header it sends.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1) if BEHIND_HTTPS_PROXY else 0
TRUSTED_PROXY_IPS = env_list("TRUSTED_PROXY_IPS", ["127.0.0.1", "::1"])
for network in TRUSTED_PROXY_IPS:  # refused at start-up, not at the first sign-in
    try:
        ipaddress.ip_network(network, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS: {error}.") from None

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if BEHIND_HTTPS_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Scripts only from our own static files: no inline script, no eval. Inline styles stay
# allowed for Django admin's templates; Bootstrap's CSS uses data: images for its icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        # blob: for the preview of a photo chosen on the customer form, before it is sent.
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Customer photos are personal data: they are served only through a view that checks
# permissions, never from a public URL.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Widgets render with the project's templates too (templates/customers/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

PHONENUMBER_DB_FORMAT = "E164"
PHONENUMBER_DEFAULT_FORMAT = "INTERNATIONAL"
# With a region (e.g. US), staff may type national numbers such as (512) 555-0199.
PHONENUMBER_DEFAULT_REGION = os.environ.get("PHONE_REGION") or None
# Background jobs (exports, imports, daily work): queued in the database and run by
# `manage.py db_worker`, or, with REDIS_URL, queued on Redis and run by `manage.py rqworker`.
# Any number of workers on any machines share the queue. A job's heartbeat, its takeover
# when its worker dies and its attempts are the project's own (`jobs`), on either queue.
REDIS_URL = os.environ.get("REDIS_URL", "")
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    # RQ stops a job after its timeout. A dead worker's job is found by its heartbeat, so
    # this only bounds a job that hangs (a million-row import takes about 15 minutes).
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600}}
# The cache every worker process shares: the API's rate limits are counted in it. Redis with
# REDIS_URL, else a table of the database (`migrate` makes it).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "backoffice",
    }
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "backoffice_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}
# Exports of more rows than this are written by a job to a file; smaller ones stream
# straight to the browser.
EXPORT_STREAM_LIMIT = 100_000
# An Excel workbook is whole only once its last row is written, and the browser waits for
# all of it: fewer rows before a job writes it (bench/RESULTS.md has the times).
EXPORT_WORKBOOK_LIMIT = 10_000
# Files of background jobs (exports written, imports uploaded) are removed this long after
# the job was asked for: by the next job of their kind, or `manage.py remove_expired_files`.
JOB_FILES_KEPT_FOR = timedelta(hours=24)
# A running job beats every few seconds; one silent for longer than this lost its worker,
# and the next worker that looks takes it over, up to JOB_MAX_ATTEMPTS tries in all.
JOB_STALE_AFTER = timedelta(seconds=env_int("JOB_STALE_AFTER", 120))
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)
# An import's check, and its writing, are split into jobs of this many rows, which any worker
# takes: a million rows are 50 jobs of about 20 s each on one core.
IMPORT_PART_ROWS = env_int("IMPORT_PART_ROWS", 20_000)

# The retailer's name, heading printed statements and loyalty card labels.
CHAIN_NAME = os.environ.get("CHAIN_NAME", "").strip() or "Retail Back Office"

# The registers' API (/api/v1/): a register's key is its only credential; each register
# may make API_THROTTLE_RATE requests (a 429 with Retry-After beyond).
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "1200/min")
# A sale's total beyond this, either way, is refused as a mistake (a 400), and so is a sale
# dated more than SALE_MAX_AGE_DAYS ago: a late one is recorded in the back office.
SALE_MAX_TOTAL = Decimal(os.environ.get("SALE_MAX_TOTAL", "100000.00"))
SALE_MAX_AGE_DAYS = env_int("SALE_MAX_AGE_DAYS", 90)
# A request's Idempotency-Key and its answer are kept this long for retries.
IDEMPOTENCY_KEEP_HOURS = env_int("IDEMPOTENCY_KEEP_HOURS", 24)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["registers.api.authentication.RegisterKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["registers.api.authentication.IsRegister"],
    "DEFAULT_THROTTLE_CLASSES": ["registers.api.authentication.PerRegisterThrottle"],
    "DEFAULT_THROTTLE_RATES": {"register": API_THROTTLE_RATE},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["registers.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "registers.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Retail Back Office: the registers' API",
    "DESCRIPTION": "Send the register's key with every request: `Authorization: Bearer` KEY.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs are served from here (drf-spectacular-sidecar), never a CDN.
    # The email and SMS consent states are one set of choices, named once.
    "ENUM_NAME_OVERRIDES": {"ConsentEnum": "customers.models.Consent"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registers.api.schema.document_errors",
    ],
}

# The one currency of every amount of money (memberships, house accounts): ISO 4217.
CURRENCY = os.environ.get("CURRENCY", "USD")
# A house account payment or refund over this is recorded by a manager
# (house_accounts.record_large_payment), not by store staff.
HOUSE_ACCOUNT_STAFF_MAXIMUM = Decimal(os.environ.get("HOUSE_ACCOUNT_STAFF_MAXIMUM", "500.00"))
# Retention (privacy.services.apply_retention, daily): deleted customers are purged this many
# days after their deletion; customers with no sale and no change for this many days are
# erased (unset: never).
DELETED_CUSTOMERS_KEPT_DAYS = env_int("DELETED_CUSTOMERS_KEPT_DAYS", 90)
INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS = env_int("INACTIVE_CUSTOMERS_ERASED_AFTER_DAYS", None)

CUSTOMER_PHOTO_MAX_BYTES = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "backoffice.middleware.RequestIdLogFilter"}},
    "formatters": {
        "with_request_id": {
            "format": "%(levelname)s [request %(request_id)s] %(name)s: %(message)s"
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "with_request_id",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own console handler would print each line a second time.
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}
