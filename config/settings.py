"""MedAnswers settings: one module, everything that differs between machines comes from the environment.

The defaults run the embedded demo: SQLite in the repository, local-memory cache, tasks in the
database, e-mail printed to the console.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
# The demo key is only ever used with DEBUG on; production must set its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-demo-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "departments",
    "questions",
    "triage",
    "search",
    "moreinfo",
    "axes",
    "audit",
    "operations",
    # Listed so the API docs page uses the swagger-ui files bundled with django-ninja, not a CDN.
    "ninja",
    "api",
]

MIDDLEWARE = [
    # First: a stored public page is answered before anything else runs (questions/pagecache.py).
    "questions.pagecache.PageCacheMiddleware",
    # Before anything that reads the client's address (rate limits, lockout, audit).
    "config.proxy.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.unavailable.ServiceUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "audit.context.RequestAddressMiddleware",
    # Last, so it can turn a login refused by django-axes into the lockout page.
    "axes.middleware.AxesMiddleware",
]

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        # A kept connection is checked before reuse, so the web processes recover by themselves
        # after the database restarts.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several web and worker processes (or hosts) share one Redis: the cache, rate-limit counters and
# the task queue (RQ) all live there. Without REDIS_URL everything stays inside this machine.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "medanswers",
            # A Redis that is down must fail a request in about a second, not hang a web worker.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    # Retraining the department router on tens of thousands of answers takes more than RQ's default.
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "medanswers",
        }
    }
    # The embedded default is one web process, so a process-local cache is shared by every request
    # it serves; a multi-process deployment configures Redis instead.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003"]
# Anonymous visitors' public pages are kept this long at most; changes invalidate them at once.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks_rq.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username and address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates per language: 2008/08/07 in English, 2008年8月7日 in Chinese (SHORT_DATE_FORMAT).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Taipei")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Production serves hashed, compressed files (after `manage.py collectstatic`) with far-future caching.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# HTTPS. Behind a proxy that ends TLS, DJANGO_SECURE_PROXY_SSL_HEADER names the header it sets
# (HTTP_X_FORWARDED_PROTO for nginx's X-Forwarded-Proto); the proxy must overwrite it from clients.
if proxy_header := os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = (proxy_header, "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")
# Content security policy (django-csp): only our own scripts, styles and images; no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "MedAnswers <no-reply@medanswers.local>")

# Product rules that an operator may want to tune.
CLAIM_MINUTES = int(os.environ.get("CLAIM_MINUTES", "30"))
ASK_RATE = os.environ.get("ASK_RATE", "5/h")
# Per address. Typing endpoints (suggestions, the live triage check) are called on every pause in
# typing, so their allowance is generous. django-axes locks one username at one address; LOGIN_RATE
# stops one address from trying many usernames.
LOGIN_RATE = os.environ.get("LOGIN_RATE", "20/m")
SEARCH_RATE = os.environ.get("SEARCH_RATE", "60/m")
SUGGEST_RATE = os.environ.get("SUGGEST_RATE", "120/m")
# Every JSON API request, per address (asking through the API also counts against ASK_RATE).
API_RATE = os.environ.get("API_RATE", "120/m")
# Proxies we run (addresses or networks, comma-separated): behind them the client's address comes from
# X-Forwarded-For (config/proxy.py). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = [proxy.strip() for proxy in os.environ.get("DJANGO_TRUSTED_PROXIES", "").split(",") if proxy.strip()]
# Load tests from one address turn the limits off with RATELIMIT_ENABLE=0.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)

# Lockout after repeated failed logins (django-axes): a username from one address is locked for
# AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT wrong passwords; a moderator can lift it earlier.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_username"
AXES_RESET_ON_SUCCESS = True
# A wrong password during the lockout does not restart the cool-off, so the page's promise holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
SEARCH_INDEX_REFRESH_SECONDS = float(os.environ.get("SEARCH_INDEX_REFRESH_SECONDS", "2"))
# Triage: a "not sure" question goes straight to the suggested department at this confidence or more
# (on the iCliniq dev set the top guess is right about 90% of the time at 0.8; bench/routing_quality.py).
ROUTER_AUTO_CONFIDENCE = float(os.environ.get("ROUTER_AUTO_CONFIDENCE", "0.8"))
# Retrain the department router after this many new answered questions.
ROUTER_RETRAIN_EVERY = int(os.environ.get("ROUTER_RETRAIN_EVERY", "50"))
# The emergency number shown in red-flag banners (119 in Taiwan; 911 in North America; 112 in Europe).
EMERGENCY_NUMBER = os.environ.get("EMERGENCY_NUMBER", "119")
# More Info drafts: "extractive" (the default, built into the app) composes them from the reference
# articles' own sentences; "llm" asks an OpenAI-compatible chat-completions server (llama.cpp, vLLM,
# Ollama...) at MOREINFO_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1) and falls back to "extractive".
MOREINFO_GENERATOR = os.environ.get("MOREINFO_GENERATOR", "extractive")
MOREINFO_LLM_BASE_URL = os.environ.get("MOREINFO_LLM_BASE_URL", "http://127.0.0.1:8080/v1")
MOREINFO_LLM_MODEL = os.environ.get("MOREINFO_LLM_MODEL", "")
MOREINFO_LLM_API_KEY = os.environ.get("MOREINFO_LLM_API_KEY", "")
MOREINFO_LLM_TIMEOUT = float(os.environ.get("MOREINFO_LLM_TIMEOUT", "60"))
