"""Homeward's one settings file.

Everything that differs between a laptop demo and a council's production
deployment comes from environment variables, read by the small typed helpers
below. With nothing set, Homeward runs on an embedded SQLite file in the
working directory, in debug mode off, on 127.0.0.1.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("HOMEWARD_DEBUG", False)
# The demo and tests run without a configured key; production must set one.
SECRET_KEY = env_str("HOMEWARD_SECRET_KEY", "homeward-insecure-local-key-set-HOMEWARD_SECRET_KEY-in-production")
ALLOWED_HOSTS = env_list("HOMEWARD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("HOMEWARD_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env_str("HOMEWARD_SITE_URL", "http://127.0.0.1:8000")
SERVICE_NAME = env_str("HOMEWARD_SERVICE_NAME", "Homeward")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "homeward.access",
    "homeward.placements",
    "homeward.people",
    "homeward.episodes",
    "homeward.interviews",
    "homeward.synth",
    "homeward.web",
    "homeward.api",
    "homeward.reporting",
    "homeward.protocol",
    "homeward.places",
    "homeward.intelligence",
    "homeward.briefing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "homeward.access.middleware.RequestContextMiddleware",
    "homeward.access.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "homeward.urls"
WSGI_APPLICATION = "homeward.wsgi.application"
AUTH_USER_MODEL = "access.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

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
                "homeward.web.context.service",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user@host:5432/homeward; default: SQLite file
# homeward.db in the working directory (contract.md).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{Path.cwd() / 'homeward.db'}"),
        conn_max_age=env_int("HOMEWARD_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Writers take the lock at BEGIN, so two writers queue instead of
            # failing half way; WAL lets pages read while an import writes.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;PRAGMA busy_timeout=30000;"
                "PRAGMA cache_size=-65536;PRAGMA temp_store=MEMORY;"
            ),
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("HOMEWARD_STATIC_ROOT", str(BASE_DIR.parent / "static_build")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # filled by collectstatic; WhiteNoise also serves from the apps
STATICFILES_DIRS: list[Path] = []
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("HOMEWARD_SESSION_SECONDS", 8 * 3600)
SESSION_COOKIE_SECURE = env_bool("HOMEWARD_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages use no inline script or style: a strict policy costs nothing.
CONTENT_SECURITY_POLICY = env_str(
    "HOMEWARD_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
)
# The hotspot map's background tiles (docs/places.md, "Map"): none by default,
# so the map shows the shipped outlines only and the browser asks no one else
# for anything. When a tile server is set, img-src allows its origin.
HOMEWARD_MAP_TILES_URL = env_str("HOMEWARD_MAP_TILES_URL", "")  # e.g. https://tiles.example.org/{z}/{x}/{y}.png
HOMEWARD_MAP_TILES_ATTRIBUTION = env_str("HOMEWARD_MAP_TILES_ATTRIBUTION", "")
if HOMEWARD_MAP_TILES_URL:
    from homeward.places.mapconfig import csp_allowing_tiles

    CONTENT_SECURITY_POLICY = csp_allowing_tiles(CONTENT_SECURITY_POLICY, HOMEWARD_MAP_TILES_URL)
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env_str("HOMEWARD_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("HOMEWARD_FROM_EMAIL", "homeward@localhost")
EMAIL_FILE_PATH = env_str("HOMEWARD_EMAIL_FILE_PATH", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "homeward.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "homeward.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Homeward API",
    "DESCRIPTION": "Children missing from home or care: children, episodes and notifications. "
    "Authenticate with a personal token: `Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# Logging never prints a child's details: loggers get ids, never names.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("HOMEWARD_LOG_LEVEL", "WARNING")},
}
