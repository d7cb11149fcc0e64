"""Settings shared by every environment; everything that differs comes from the environment.

`DATABASE_URL` unset means the embedded SQLite default; `REDIS_URL` unset means Celery runs
tasks in-process (eager), so `make run` needs nothing but Python.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Used to build links in messages and printed by `make run`.
# Where links in notifications point; locally, the port `make run` serves on (PORT).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework_simplejwt.token_blacklist",
    "django_fsm",
    "django_htmx",  # htmx as a static file of our own (no other host)
    # No models: the templates of the read-only admin bases (common.readonly_admin).
    "common",
    "casework",
    "workflows",
    "notifications",
    "supervision",
    "sampledata",
    "web",
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:sign-in"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "common.middleware.BodyLengthMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.NoStoreMiddleware",
    "common.middleware.SingleQueryValueMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context.header",
            ],
        },
    },
]

# An empty DATABASE_URL means unset, like an empty REDIS_URL.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # a restarted database is not a failed request
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A notification worker holds a delivery's row lock while it sends; if its machine vanishes
    # without closing the connection, the server ends the session (and frees the lock) after
    # this long idle in a transaction. Above the webhook timeout, below the task time limit.
    idle = env("DB_IDLE_IN_TRANSACTION_TIMEOUT", default="60s")
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c idle_in_transaction_session_timeout={idle}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "casework.User"
# Django's password check, refused while an account is locked (config.login_guard).
AUTHENTICATION_BACKENDS = ["config.auth.GuardedModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Bahasa Indonesia by default; English on request (Accept-Language: en). Kalimantan Selatan is WITA.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT: Path | None = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.authentication.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only; DRF's browsable pages for a developer with DEBUG on.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "common.negotiation.JsonFallbackNegotiation",
    "DEFAULT_PARSER_CLASSES": ["common.parsers.LimitedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.ApiSchema",
    "EXCEPTION_HANDLER": "common.error_responses.api_exception_handler",
    # Only the login is throttled (per client address): guessing passwords must be slow.
    "DEFAULT_THROTTLE_RATES": {"auth": env("AUTH_THROTTLE_RATE", default="20/minute")},
    # The client's address is REMOTE_ADDR; behind N proxies that each append to
    # X-Forwarded-For, the Nth address from the right. A client can write that header itself.
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=30)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    # A refresh token works once: a stolen one is useless after its owner's next refresh.
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "TOKEN_REFRESH_SERIALIZER": "config.auth.OneUseTokenRefreshSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PPKS Casework API",
    "DESCRIPTION": (
        "Case management for PPKS reported by PSM volunteers to Dinas Sosial, Kalimantan Selatan. "
        "Errors are JSON: {code, message, errors: [{field, code, message}]}; messages are in "
        "Bahasa Indonesia unless `Accept-Language: en`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.link_resources",
    ],
}

# Celery: settings from engineering/STACK.md that keep work from being lost.
REDIS_URL = env("REDIS_URL", default="")
# Throttles and login failures are counted in the cache: one shared by every process (Redis)
# when there is a Redis, this process's memory only for the embedded default.
CACHE_URL = env("CACHE_URL", default="") or REDIS_URL
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "ppks",
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without Redis, tasks run in the process that queues them (after the commit).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# On shutdown, give running tasks a moment, then hand them back to the broker (acks late).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10.0
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
# Celery's Django fixup closes the database connection after this many tasks (by default: every
# task, so each task opened a new PostgreSQL backend); config/celery.py closes old connections
# as Django does per request instead.
CELERY_DB_REUSE_MAX = 1_000_000_000
# Longer than any task plus its longest retry delay, so an unacked task is not redelivered early.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
# A publish to a broker that is away gives up within about a second (the relay sweep retries
# later) rather than holding up the request that committed the event.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# The sweeps run often; a sweep that waited behind a backlog is dropped, the next one comes.
NOTIFY_SWEEP_SECONDS = env.float("NOTIFY_SWEEP_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-records": {
        "task": "casework.tasks.purge_idempotency_records",
        "schedule": timedelta(hours=1),
    },
    "relay-outbox": {
        "task": "notifications.relay_outbox",
        "schedule": timedelta(seconds=NOTIFY_SWEEP_SECONDS),
        "options": {"expires": NOTIFY_SWEEP_SECONDS * 2},
    },
    "escalate-deadlines": {
        "task": "workflows.escalate_deadlines",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
    # 03:00 WITA, a quiet hour: delivered notifications past their retention.
    "purge-notifications": {
        "task": "notifications.purge_delivered",
        "schedule": crontab(hour=3, minute=0),
    },
    # 03:30 WITA: the dashboard's day tallies of long-past days folded (a table lock of ms).
    "fold-day-tallies": {
        "task": "workflows.fold_day_tallies",
        "schedule": crontab(hour=3, minute=30),
    },
    # 07:00 WITA: CELERY_TIMEZONE is Asia/Makassar.
    "daily-digest": {
        "task": "workflows.send_daily_digest",
        "schedule": crontab(hour=7, minute=0),
    },
}

# Notifications (notifications/); their links start with PUBLIC_BASE_URL.
NOTIFY_SWEEP_BATCH = env.int("NOTIFY_SWEEP_BATCH", default=500)
# A notification all of whose deliveries went out is kept this long (its inbox item with it),
# then purged; one still pending or dead is kept until it is delivered or retried.
NOTIFY_RETENTION_DAYS = env.int("NOTIFY_RETENTION_DAYS", default=180)
# A delivery handed to the broker this long ago and still pending is handed over again.
NOTIFY_REPUBLISH_AFTER = env.int("NOTIFY_REPUBLISH_AFTER", default=300)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=8)
NOTIFY_RETRY_BASE_DELAY = env.float("NOTIFY_RETRY_BASE_DELAY", default=30.0)
NOTIFY_RETRY_MAX_DELAY = env.float("NOTIFY_RETRY_MAX_DELAY", default=1800.0)
# The WhatsApp Business / SMS gateway: empty URL means no such channel.
NOTIFY_WEBHOOK_URL = env("NOTIFY_WEBHOOK_URL", default="")
NOTIFY_WEBHOOK_SECRET = env("NOTIFY_WEBHOOK_SECRET", default="")
NOTIFY_WEBHOOK_TIMEOUT = env.float("NOTIFY_WEBHOOK_TIMEOUT", default=10.0)
NOTIFY_EMAIL_DOMAIN = env("NOTIFY_EMAIL_DOMAIN", default="ppks.localhost")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="PPKS Kalsel <noreply@ppks.localhost>")
# Verification picks the assignee itself (the on-duty officer with the fewest open cases) when
# the verifier names none; the body's `auto_assign` decides per request.
AUTO_ASSIGN_ON_VERIFY = env.bool("AUTO_ASSIGN_ON_VERIFY", default=False)
# How often an officer's open work queue asks for new reports (htmx polling, seconds).
WORK_QUEUE_POLL_SECONDS = env.int("WORK_QUEUE_POLL_SECONDS", default=30)

# How long a create's Idempotency-Key is remembered (a phone retrying after a day is a new report).
# A phone may keep a report for days without signal and resend it with its key: remembered long
# enough for that (a key row holds no body, only a status and an id).
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=720))
# How old a process's copy of the regions and categories may get before it is reloaded.
REFERENCE_CACHE_SECONDS = env.int("REFERENCE_CACHE_SECONDS", default=300)
# Demo accounts' password for `make run` (seed_demo); a documented default for local use only.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-ppks-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"path_without_query": {"()": "common.log_filters.PathWithoutQuery"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # `make run`'s access lines: the path, never the query (`?search=` may hold a name).
        "django.server": {
            "handlers": ["console"],
            "filters": ["path_without_query"],
            "level": "INFO",
            "propagate": False,
        },
    },
}
# JSON bodies above this are refused with 413 before parsing (attachments use multipart).
MAX_JSON_BODY_BYTES = env.int("MAX_JSON_BODY_BYTES", default=256 * 1024)
# Attachments (photos, PDFs) above this are refused with 413 before they are read or stored.
MAX_ATTACHMENT_BYTES = env.int("MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
