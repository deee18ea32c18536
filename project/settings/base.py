"""Settings shared by every context; every value comes from the environment through one ``environ.Env``."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from messaging.limits import CONTENT_MAX_LENGTH, parse_rate
from project.log_format import JSON_FORMATTER
from project.runtime import DEFAULT_MAX_REQUEST_BODY_BYTES
from project.settings.database import STATEMENT_TIMEOUT_MS, with_project_backend

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
# Set at image build time; readiness reports it so a release can be told apart from the one before.
RELEASE_VERSION = env("RELEASE_VERSION", default="unknown")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Its index expressions (OpClass) and PostgreSQL operations serve the admin's search (messaging/models.py).
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "axes",
    "messaging",
]

# The order is the serving model's (docs/reliability.md): every request is logged and gets the security
# headers; a body is read under its deadline before anything else; /health answers before host validation
# and before the bulkhead, so it never waits for database work; only requests that may use the database
# take a slot.
MIDDLEWARE = [
    "project.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Response headers only (a view's xframe_options_exempt still applies): here /health gets them too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "project.middleware.HealthCheckMiddleware",
    # Static files need no database: served before the bulkhead.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "project.middleware.LengthRequiredMiddleware",
    "project.bulkhead.DatabaseBulkheadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "project.messages_middleware.LazyMessageMiddleware",
    # Last, as django-axes requires: it turns a lockout flagged during authentication into a 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
# The seed posts to /messages without a slash; routes accept both forms, so never redirect.
APPEND_SLASH = False

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
            ],
        },
    },
]

DATABASES = {"default": with_project_backend(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
# How long PostgreSQL lets one statement run (project.settings.database); the bulkhead's query deadline
# comes after it.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=STATEMENT_TIMEOUT_MS)
# How long after a database slot last changed hands a request may still wait for one; past it, a 503
# at once (project.bulkhead).
BULKHEAD_WAIT_SECONDS = env.float("BULKHEAD_WAIT_SECONDS", default=0.5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Admin login against password guessing (django-axes): after AXES_FAILURE_LIMIT failures from one client
# address, logins from it are refused with a 429 for AXES_COOLOFF_MINUTES. Keyed on the address only, so
# nobody can lock an admin out by guessing at their user name; attempts live in the database, shared by
# every task. The address is the one the ALB appends to X-Forwarded-For (see messaging.client).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "messaging.client.client_address"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"

# A message body is at most CONTENT_MAX_LENGTH characters of up to 4 UTF-8 bytes each, plus JSON
# escaping and the sender; anything larger is refused with 413 before it is parsed.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=DEFAULT_MAX_REQUEST_BODY_BYTES)
if MAX_REQUEST_BODY_BYTES < CONTENT_MAX_LENGTH * 4:
    raise ImproperlyConfigured(
        f"MAX_REQUEST_BODY_BYTES must be at least {CONTENT_MAX_LENGTH * 4} to hold a full message"
    )
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["messaging.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["messaging.api.parsers.BoundedJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "messaging.api.negotiation.QuickContentNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
}

# POST /messages per client address (messaging.api.throttling, counted by messaging.services), e.g. "60/min";
# empty turns the limit off.
# Counted in the database, so the limit holds across every worker of every task (ADR 0020).
MESSAGES_POST_RATE = env("MESSAGES_POST_RATE", default="60/min")
if MESSAGES_POST_RATE:
    # A rate that cannot be read stops the start, rather than failing every post with a 500.
    parse_rate(MESSAGES_POST_RATE)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "messaging.api.errors.MessagingExceptionHandler",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Text Messaging API",
    "DESCRIPTION": "Post and list short text messages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
        "ErrorCode401Enum": "drf_standardized_errors.openapi_serializers.ErrorCode401Enum.choices",
        "ErrorCode403Enum": "drf_standardized_errors.openapi_serializers.ErrorCode403Enum.choices",
        "ErrorCode404Enum": "drf_standardized_errors.openapi_serializers.ErrorCode404Enum.choices",
        "ErrorCode405Enum": "drf_standardized_errors.openapi_serializers.ErrorCode405Enum.choices",
        "ErrorCode406Enum": "drf_standardized_errors.openapi_serializers.ErrorCode406Enum.choices",
        "ErrorCode415Enum": "drf_standardized_errors.openapi_serializers.ErrorCode415Enum.choices",
        "ErrorCode429Enum": "drf_standardized_errors.openapi_serializers.ErrorCode429Enum.choices",
        "ErrorCode500Enum": "drf_standardized_errors.openapi_serializers.ErrorCode500Enum.choices",
    },
    "PREPROCESSING_HOOKS": ["messaging.api.schema.drop_trailing_slash_aliases"],
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "messaging.api.schema.document_server_refusals",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": JSON_FORMATTER,
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    # Upper-cased: gunicorn.conf.py takes the same variable in either case, logging only in upper case.
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO").upper()},
    "loggers": {
        # The request log below replaces Django's own per-request lines, which would repeat each one.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # django-axes announces its configuration at every start, including every management command's.
        "axes.apps": {"level": "WARNING"},
    },
}
