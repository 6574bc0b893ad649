"""The one settings module. Everything that differs between machines comes from the environment.

Embedded defaults (no environment at all) give a working local product: SQLite in ``data/`` and the
S3 emulator that ``manage.py run_embedded`` starts on 127.0.0.1:9000.
"""

from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "data"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless set: `make run` and the test settings turn it on; production never has to remember to.
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The built-in key only ever signs local development data; off DEBUG the server refuses to start without a real one.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DJANGO_DEBUG off the server will not start with a built-in key: set "
            "DJANGO_SECRET_KEY to a long random string (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-local-development-key-change-me-in-production"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base for links we hand out (share links, thumbnails); falls back to the request's host.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "ratelimits",
    "audit",  # the append-only audit log: low in the stack, every app records through audit.services
    "workspaces",
    "webhooks",  # endpoints and the outbox: above workspaces, below every app whose services emit events
    "documents",
    "submissions",
    "workflows",
    "evidence",  # evidence packs of workflows and submissions: above the apps whose records it gathers
    "benchmarks",  # `manage.py bench` only: no models, no urls
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page language: the switcher's cookie, else Accept-Language, else LANGUAGE_CODE (English).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.UnstorableUrlMiddleware",
    "ratelimits.middleware.PublicRateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "audit.middleware.AuditReadsMiddleware",  # after the history's: the reads it writes name the request's origin
    # Last, as django-axes asks: it turns a locked-out login into our 429 page.
    "axes.middleware.AxesMiddleware",
]
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

_database_url = env.str("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}")
_database_scheme = _database_url.partition("://")[0] if "://" in _database_url else ""
if _database_scheme not in environ.Env.DB_SCHEMES:
    # Said at start-up, without echoing the URL (it holds the password); django-environ would fail later and vaguely.
    raise ImproperlyConfigured(
        f"DATABASE_URL is malformed (scheme {_database_scheme or 'missing'!r}): expected e.g. "
        "postgres://user:password@host:5432/name or sqlite:////absolute/path/db.sqlite3."
    )
DATABASES = {"default": environ.Env.db_url_config(_database_url)}
# Persistent connections: opening one per request is most of a request's cost on PostgreSQL.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(exist_ok=True)  # the embedded default lives in the ignored data folder
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Prepared statements: with server-side parameters psycopg prepares a statement it has run five times, and
# PostgreSQL then skips parsing and planning it (the public action lookup planned in 0.7 ms and ran in 0.1).
# Off (DATABASE_PREPARED_STATEMENTS=false) behind a transaction-pooling PgBouncer older than 1.21.
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The performance layer's switches (perf/, README "Performance layer"), read on every call so that `manage.py
# bench` can run a row with a piece on and off in the same run; off, the product takes the plain library path.
PERF_HISTORY_CTE = env.bool("PERF_HISTORY_CTE", default=True)
PERF_SIGNER = env.bool("PERF_SIGNER", default=True)
PERF_SQL_MEMO = env.bool("PERF_SQL_MEMO", default=True)
PERF_ADMIN_CHECKBOX = env.bool("PERF_ADMIN_CHECKBOX", default=True)
PERF_EXPORT_COPY = env.bool("PERF_EXPORT_COPY", default=True)  # the CSV export via COPY (submissions/export_copy.py)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The end-client pages ship a complete German translation (locale/de, compiled .mo committed).
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The pages' own scripts and styles (no inline ones: the Content-Security-Policy forbids them).
STATICFILES_DIRS = [BASE_DIR / "static"]
# `collectstatic` copies everything here; whitenoise serves it from each web process (no local state beyond it).
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
LOGIN_URL = "/admin/login/"

# --- Security (defaults follow DEBUG: safe in production, plain HTTP on a laptop) ---------------------
# Behind a TLS-terminating proxy, name the header it sets, e.g. DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto.
_proxy_ssl_header = env.str("DJANGO_SECURE_PROXY_SSL_HEADER", default="")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe the health endpoints over plain HTTP, from inside.
SECURE_REDIRECT_EXEMPT = [r"^api/health"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- S3 -------------------------------------------------------------------------------------------
# Defaults point at the embedded emulator; set them for real S3 or any S3-compatible store.
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="embedded")
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="embedded-secret")
# The embedded default signs with temporary credentials (a session token; the emulator accepts any), as
# production on IAM roles does: presigned POSTs then carry X-Amz-Security-Token, which seed 002's snippets send.
_EMBEDDED_SESSION_TOKEN = "embedded-session-token" if AWS_ACCESS_KEY_ID == "embedded" else ""
AWS_SESSION_TOKEN = env.str("AWS_SESSION_TOKEN", default=_EMBEDDED_SESSION_TOKEN) or None
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="intake-local")
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="us-east-1")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="http://127.0.0.1:9000") or None
# Presigned POSTs must be SigV4: botocore signs them with SigV2 otherwise, which new buckets refuse.
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="path" if AWS_S3_ENDPOINT_URL else "virtual")
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=300)
# S3 faults stay local: a call gives up after a few seconds (connect, then each read, per attempt), is tried at most
# AWS_S3_MAX_ATTEMPTS times, and at most AWS_S3_MAX_CONCURRENCY calls run at once per process (keep it below the
# server's threads, so a hung S3 never holds them all); a call that finds no free slot within
# AWS_S3_SLOT_WAIT_SECONDS answers 503 STORAGE_UNAVAILABLE with Retry-After: STORAGE_RETRY_AFTER_SECONDS.
AWS_S3_CONNECT_TIMEOUT = env.float("AWS_S3_CONNECT_TIMEOUT", default=2.0)
AWS_S3_READ_TIMEOUT = env.float("AWS_S3_READ_TIMEOUT", default=3.0)
AWS_S3_MAX_ATTEMPTS = env.int("AWS_S3_MAX_ATTEMPTS", default=2)
AWS_S3_MAX_CONCURRENCY = env.int("AWS_S3_MAX_CONCURRENCY", default=6)
AWS_S3_SLOT_WAIT_SECONDS = env.float("AWS_S3_SLOT_WAIT_SECONDS", default=0.5)
STORAGE_RETRY_AFTER_SECONDS = env.int("STORAGE_RETRY_AFTER_SECONDS", default=5)
# The malware scanner of accepted files: clamd's socket (unix:///run/clamav/clamd.ctl or tcp://host:3310). Empty (the
# embedded default): files are still checked to open as their type, and say "not scanned". clamd's StreamMaxLength
# must be at least the largest upload (50 MB).
CLAMAV_URL = env.str("CLAMAV_URL", default="")
CLAMAV_TIMEOUT_SECONDS = env.float("CLAMAV_TIMEOUT_SECONDS", default=30.0)
# Acceptance queues each scan; celery beat queues again any still waiting this long (a lost enqueue).
DOCUMENT_SCAN_RESUME_SECONDS = env.int("DOCUMENT_SCAN_RESUME_SECONDS", default=600)
# Where the embedded emulator keeps its objects between restarts.
EMBEDDED_S3_DIR = DATA_DIR / "s3"
# S3 event notifications (ObjectCreated) arrive on this SQS queue; empty disables the worker.
DOCUMENT_EVENTS_QUEUE_URL = env.str("DOCUMENT_EVENTS_QUEUE_URL", default="")

STORAGES = {
    "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    # Hashed, compressed copies made by `collectstatic`, cached for a year by browsers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


# Where browsers POST files to (the public action page's uploads): the S3 endpoint, or the bucket's AWS hosts.
CSP_UPLOAD_ORIGINS = env.list(
    "CSP_UPLOAD_ORIGINS",
    default=[_origin(AWS_S3_ENDPOINT_URL)]
    if AWS_S3_ENDPOINT_URL
    else [
        f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com",
        f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com",
    ],
)
# django-csp: scripts and styles only from our own static files, on every page (the admin's included).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Thumbnail links redirect to a presigned GET of the store (the admin's case page shows them).
        "img-src": [SELF, "data:", *CSP_UPLOAD_ORIGINS],
        "connect-src": [SELF, *CSP_UPLOAD_ORIGINS],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Product settings ----------------------------------------------------------------------------
UPLOAD_DEFAULT_MAX_BYTES = env.int("UPLOAD_DEFAULT_MAX_BYTES", default=15 * 1024 * 1024)
# The largest request body read (bytes): a bigger JSON body is a 413 with the standard error body.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_MAX_REQUEST_BYTES", default=2_621_440)
# Bounds on the files of one submission: per file field, and per request (all fields and entities together).
UPLOAD_MAX_FILES_PER_FIELD = env.int("UPLOAD_MAX_FILES_PER_FIELD", default=20)
UPLOAD_MAX_FILES_PER_REQUEST = env.int("UPLOAD_MAX_FILES_PER_REQUEST", default=100)
PUBLIC_ACTION_TTL_DAYS = env.int("PUBLIC_ACTION_TTL_DAYS", default=7)
SHARE_LINK_TTL_DAYS = env.int("SHARE_LINK_TTL_DAYS", default=14)
# Public form pages (/f/<workspace>/<form>/): invitation links and draft resume links last this many days; one
# visit of the page may upload at most PUBLIC_FORM_MAX_FILES files, within PUBLIC_FORM_VISIT_HOURS of its first.
PUBLIC_FORM_INVITATION_TTL_DAYS = env.int("PUBLIC_FORM_INVITATION_TTL_DAYS", default=30)
PUBLIC_FORM_DRAFT_TTL_DAYS = env.int("PUBLIC_FORM_DRAFT_TTL_DAYS", default=30)
PUBLIC_FORM_MAX_FILES = env.int("PUBLIC_FORM_MAX_FILES", default=20)
PUBLIC_FORM_VISIT_HOURS = env.int("PUBLIC_FORM_VISIT_HOURS", default=24)
# A person holding at least this share of a workflow's client, directly or through companies, is flagged a UBO.
UBO_THRESHOLD_PERCENT = Decimal(env.str("UBO_THRESHOLD_PERCENT", default="25"))

# --- Rate limits ("N/second|minute|hour"), counted in the database: shared by every process and machine -------
RATE_LIMITS = {
    # Every request to a token route (/v3/public/actions/..., /actions/<token>, /share/<token>/) per client address...
    "public_address": env.str("RATE_LIMIT_PUBLIC_PER_ADDRESS", default="300/minute"),
    # ... and per token.
    "public_token": env.str("RATE_LIMIT_PUBLIC_PER_TOKEN", default="30/minute"),
    # Bad, expired or used tokens per address: past this, the address gets 429 on every token route.
    "public_failures": env.str("RATE_LIMIT_PUBLIC_FAILURES_PER_ADDRESS", default="20/minute"),
    # Files a public form page may ask to upload, per client address (each file counts).
    "public_uploads": env.str("RATE_LIMIT_PUBLIC_UPLOADS_PER_ADDRESS", default="100/hour"),
    # Wrong or revoked API keys per address: past this, a wrong key answers 429 instead of 401.
    "api_key_failures": env.str("RATE_LIMIT_API_KEY_FAILURES_PER_ADDRESS", default="20/minute"),
}
# Behind N trusted proxies (a load balancer: 1) the client address is the N-th from the right of X-Forwarded-For;
# unset, it is the connection's address (REMOTE_ADDR) and X-Forwarded-For is ignored.
RATE_LIMIT_NUM_PROXIES = env.int("RATE_LIMIT_NUM_PROXIES", default=None)
# The admin login (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username from one address lock it out
# for AXES_COOLOFF_MINUTES, doubled for every further AXES_FAILURE_LIMIT failures while locked.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = "ratelimits.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "ratelimits.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "ratelimits.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Not in the admin: its pages answer to workspace roles, and lockouts belong to no workspace (`manage.py axes_reset`).
AXES_ENABLE_ADMIN = False

# The audit log keeps its rows this many days (`manage.py audit_prune` deletes older ones); unset: kept for ever.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=None)

# Exports (README "Exports"): above this many rows GET /api/submissions/export answers a job instead of the file;
# a finished job's file is handed out for EXPORT_FILE_TTL_HOURS, each time through a link valid this long.
EXPORT_ASYNC_THRESHOLD_ROWS = env.int("EXPORT_ASYNC_THRESHOLD_ROWS", default=10_000)
EXPORT_LINK_TTL_SECONDS = env.int("EXPORT_LINK_TTL_SECONDS", default=300)
EXPORT_FILE_TTL_HOURS = env.int("EXPORT_FILE_TTL_HOURS", default=72)
# An evidence pack's files are handed out this many days after it was generated (README "Evidence packs").
EVIDENCE_PACK_FILE_TTL_DAYS = env.int("EVIDENCE_PACK_FILE_TTL_DAYS", default=30)
# Celery beat deletes the S3 files of export jobs and evidence packs past their expiry this often.
EXPIRED_FILES_SWEEP_MINUTES = env.float("EXPIRED_FILES_SWEEP_MINUTES", default=60.0)

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@localhost")

# --- Background work (Celery) ---------------------------------------------------------------------
# The broker spans machines: Redis (redis://host:6379/0, what `make run` starts on 127.0.0.1) or SQS (sqs://).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_IGNORE_RESULT = True  # no result backend: tasks write their outcome to the database
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again (tasks are idempotent)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# How often the S3-event queue is drained (seconds), when DOCUMENT_EVENTS_QUEUE_URL is set.
DOCUMENT_EVENTS_POLL_SECONDS = env.float("DOCUMENT_EVENTS_POLL_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "document-events": {
        "task": "documents.tasks.document_events_poll",
        "schedule": DOCUMENT_EVENTS_POLL_SECONDS,
        "options": {"expires": DOCUMENT_EVENTS_POLL_SECONDS},
    },
    "scan-resume": {
        "task": "documents.tasks.document_scans_resume",
        "schedule": 300.0,
        "options": {"expires": 300.0},
    },
    "webhook-sweep": {
        "task": "webhooks.tasks.webhook_deliveries_sweep_run",
        "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=10.0),
        "options": {"expires": env.float("WEBHOOK_SWEEP_SECONDS", default=10.0)},
    },
    "upload-sweep": {
        "task": "documents.tasks.document_uploads_sweep_run",
        "schedule": 60.0 * env.float("UPLOAD_SWEEP_MINUTES", default=15.0),
    },
    # The files of export jobs and evidence packs past their expiry (README "Exports", "Evidence packs").
    "export-files-sweep": {
        "task": "submissions.tasks.export_files_sweep_run",
        "schedule": 60.0 * EXPIRED_FILES_SWEEP_MINUTES,
        "options": {"expires": 60.0 * EXPIRED_FILES_SWEEP_MINUTES},
    },
    "evidence-files-sweep": {
        "task": "evidence.tasks.evidence_files_sweep_run",
        "schedule": 60.0 * EXPIRED_FILES_SWEEP_MINUTES,
        "options": {"expires": 60.0 * EXPIRED_FILES_SWEEP_MINUTES},
    },
    # Audit retention (AUDIT_RETENTION_DAYS; a no-op when unset), daily at 03:17 UTC.
    "audit-prune": {
        "task": "audit.tasks.audit_prune_run",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 6 * 3600.0},
    },
}

# --- Webhooks (README "Webhooks") -----------------------------------------------------------------
# Deliveries go only to public addresses unless this is on (tests and local receivers on 127.0.0.1).
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)  # one attempt, connect and answer
# A queued delivery is due again after this long if its attempt never recorded (a lost enqueue, a killed worker).
WEBHOOK_LEASE_SECONDS = env.float("WEBHOOK_LEASE_SECONDS", default=120.0)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30.0)  # doubled after each failure
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env.float("WEBHOOK_RETRY_MAX_DELAY_SECONDS", default=6 * 3600.0)
WEBHOOK_RETRY_WINDOW_SECONDS = env.float("WEBHOOK_RETRY_WINDOW_SECONDS", default=24 * 3600.0)  # then it fails
WEBHOOK_DISABLE_AFTER_SECONDS = env.float("WEBHOOK_DISABLE_AFTER_SECONDS", default=24 * 3600.0)
WEBHOOK_ROTATION_OVERLAP_HOURS = env.int("WEBHOOK_ROTATION_OVERLAP_HOURS", default=24)

# --- API -----------------------------------------------------------------------------------------
RENDERER_CLASSES = ["rest_framework.renderers.JSONRenderer"]
if DEBUG:
    RENDERER_CLASSES.append("rest_framework.renderers.BrowsableAPIRenderer")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "workspaces.authentication.ApiKeyAuthentication",
        "workspaces.authentication.SessionWorkspaceAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["workspaces.permissions.IsWorkspaceMember"],
    "DEFAULT_RENDERER_CLASSES": RENDERER_CLASSES,
    "DEFAULT_PARSER_CLASSES": ["config.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.ApiAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": RATE_LIMIT_NUM_PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Compliance intake API",
    "DESCRIPTION": "Workspaces, versioned forms, submissions, subject records and direct-to-S3 uploads.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several contracts have fields named `status` or `type`; their enums are named after what they are.
    "ENUM_NAME_OVERRIDES": {
        "WorkflowStatusEnum": "workflows.constants.WorkflowStatus",
        "WorkflowTypeEnum": "workflows.constants.WorkflowType",
        "RequiredDocumentStatusEnum": "workflows.constants.RequiredDocumentStatus",
        "RequiredDocumentCategoryEnum": "workflows.constants.RequiredDocumentCategory",
        "DecisionStatusEnum": "workflows.constants.DecisionStatus",
        "PublicActionStatusEnum": "workflows.constants.PublicActionStatus",
        "SubmissionStatusEnum": "submissions.constants.SubmissionStatus",
        "EvidencePackStateEnum": "evidence.constants.PackState",
        "RevisionRequestStateEnum": ["Open", "Completed", "Expired", "Revoked"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Link tokens and API keys are redacted from every line (config/redaction.py).
    "filters": {"redact_secrets": {"()": "config.redaction.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"botocore": {"level": "WARNING"}, "werkzeug": {"level": "WARNING"}},
}
