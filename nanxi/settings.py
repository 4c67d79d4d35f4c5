"""Settings for the Nanxi portal, read from the environment.

With no DATABASE_URL the portal runs on SQLite and Celery runs eagerly in-process
(``make demo``, ``make test``). With DATABASE_URL=postgres://… and REDIS_URL=redis://…
it uses PostgreSQL, a Redis cache and a Redis broker (docker-compose, CI).
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def database_from_url(url: str) -> dict:
    """Turn ``postgres://user:pass@host:port/name?sslmode=…`` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must be postgres://…, not {parts.scheme}://"
        )
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(parts.hostname or ""),
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        "CONN_HEALTH_CHECKS": True,
        # PostgreSQL down: fail in seconds and show the maintenance page.
        "OPTIONS": {"connect_timeout": "5", **options},
    }


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105  (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "nanxi.apps.NanxiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_filters",
    "csp",
    "nanxi.apps.NanxiConfig",
    "projects",
    "buildings",
    "committees",
    "reports",
]

MIDDLEWARE = [
    # /healthz and /readyz, for any Host and over plain HTTP (probes ask by IP).
    "nanxi.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so its process_exception runs first: PostgreSQL down → 503 page.
    "nanxi.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "nanxi.urls"
WSGI_APPLICATION = "nanxi.wsgi.application"

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
            ],
        },
    },
]

# --- data -------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # allauth's rate limits count in the cache: it must be shared by every process.
    CACHES = {
        "default": {
            # Redis down → a per-process memory cache, never a 500 (see the module).
            "BACKEND": "nanxi.cache_backends.ResilientRedisCache",
            "LOCATION": os.environ.get("REDIS_CACHE_URL", REDIS_URL),
            "KEY_PREFIX": "nanxi",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions are read from the cache and written through to the database; read from
# the database alone while Redis is down (nanxi.sessions).
SESSION_ENGINE = "nanxi.sessions"

# Public list pages are served from the cache to visitors for this long (nanxi.caching).
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "30"))

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A worker (or its child) killed mid-task puts the message back, not acks it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# An unacknowledged message is handed to another worker after this long: longer than
# the longest task (the report's 15-minute time limit, reports.tasks.TIME_LIMIT) and
# the longest retry countdown, shorter than kombu's one-hour default.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "1200")),
    # How often a worker looks for such messages: every interval × throttle seconds
    # (60 s here; kombu's default is 100 s). The killed-worker test makes it 1 s.
    "unacked_restore_interval": int(
        os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "6")
    ),
    "unacked_restore_throttle": int(
        os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE", "10")
    ),
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE: dict = {
    # Owners' committees whose term ends within 180 days: flag and warn (idempotent).
    "committees-flag-ending-terms": {
        "task": "committees.flag_ending_terms",
        "schedule": crontab(minute=0, hour=7),
    },
    # Crowdfunding pledges not confirmed within 14 days expire (idempotent).
    "projects-expire-pledges": {
        "task": "projects.expire_pledges",
        "schedule": crontab(minute=30, hour=3),
    },
    # The street's yearly report of the year just ended, early on 5 January.
    "reports-build-last-year": {
        "task": "reports.build_last_years_report",
        "schedule": crontab(minute=0, hour=6, day_of_month=5, month_of_year=1),
    },
}

# --- accounts -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "nanxi.auth_backends.ModelBackendWithProfile",
    "nanxi.auth_backends.AllauthBackendWithProfile",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "nanxi.validators.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Log in by e-mail or by mobile number (手机号), with a password or a one-time code.
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
# Sign-up asks for an e-mail address or a mobile number (or both): our sign-up form
# (nanxi.account_forms.SignupForm) makes the e-mail optional and requires one of
# the two. "email*" stays here because allauth allows mandatory e-mail confirmation
# only with it; nanxi.adapters.EmailVerificationStage makes confirmation mandatory
# for every account that gave an address, and skips it for a mobile-only account,
# whose number is confirmed by a code instead.
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Codes people type from a text message: six digits. Three wrong tries end a code.
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 3
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 300
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 600
# A text message can be late or lost: "send it again", twice, within the rate limits.
ACCOUNT_LOGIN_BY_CODE_SUPPORTS_RESEND = 2
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = 2
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_ADAPTER = "nanxi.adapters.AccountAdapter"
# allauth's messages and mails name a person as the portal does everywhere: the
# chosen name or "Resident of 华业", never the username, e-mail or phone.
ACCOUNT_USER_DISPLAY = "nanxi.models.public_name"
# The subject names the portal: "[SITE_NAME] …" (the adapter's format_email_subject).
ACCOUNT_EMAIL_SUBJECT_PREFIX = None
# allauth's other limits (signup, password reset, …) stay, counted by the address
# nanxi.throttle.client_ip gives (the adapter's get_client_ip). Failed logins are
# throttled by nanxi.throttle for allauth's form and the admin's alike. A text
# message costs money and can be used to pester someone: codes to one number are
# limited per minute and per day, whatever address asks.
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "request_login_code": "20/m/ip,3/m/key,10/d/key",
    "verify_phone": "1/30s/key,3/m/ip,10/d/key,50/d/ip",
    "change_phone": "1/m/user,5/d/user",
}
ACCOUNT_FORMS = {
    "login": "nanxi.account_forms.LoginForm",
    "signup": "nanxi.account_forms.SignupForm",
}
# The portal's name and address in mail (subjects, greetings, absolute links): set
# SITE_URL to the public address (https://nanxi.example); without it, links use the
# address the request came in on, and notices sent by the task queue carry only a path.
SITE_NAME = os.environ.get("SITE_NAME") or _("Nanxi self-governance")
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
# Text messages (one-time codes): a class with send(*, phone, text), see nanxi/sms.py.
# The default writes them to the log, like the console mail backend; production sets
# a provider's class, e.g. SMS_SENDER=myproject.sms.AliyunSender.
SMS_SENDER = os.environ.get("SMS_SENDER", "nanxi.sms.ConsoleSender")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "profile"
ACCOUNT_SIGNUP_REDIRECT_URL = "profile"

# --- login throttle (nanxi.throttle) ---------------------------------------------------
# The proxies whose X-Forwarded-For is believed (IPs or CIDRs, e.g. the compose
# network's nginx). Empty: the peer's address is the client's.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# Failures of one account within the window before it is locked, and the locks,
# longer on each repeated burst (the level is forgotten after a quiet day).
LOGIN_ACCOUNT_ATTEMPTS = int(os.environ.get("LOGIN_ACCOUNT_ATTEMPTS", "5"))
LOGIN_ACCOUNT_WINDOW_SECONDS = int(
    os.environ.get("LOGIN_ACCOUNT_WINDOW_SECONDS", "900")
)
LOGIN_LOCK_SECONDS = [
    int(item) for item in env_list("LOGIN_LOCK_SECONDS", "60,300,900")
]
LOGIN_LOCK_MEMORY_SECONDS = int(os.environ.get("LOGIN_LOCK_MEMORY_SECONDS", "86400"))
# Failures from one client address (any accounts) within the window.
LOGIN_ADDRESS_ATTEMPTS = int(os.environ.get("LOGIN_ADDRESS_ATTEMPTS", "20"))
LOGIN_ADDRESS_WINDOW_SECONDS = int(
    os.environ.get("LOGIN_ADDRESS_WINDOW_SECONDS", "300")
)

# --- personal data (PIPL) ---------------------------------------------------------------
# The version of the privacy notice (templates/nanxi/privacy.html) a sign-up agrees
# to; raise it whenever the notice's substance changes.
PRIVACY_NOTICE_VERSION = "2026-1"

# --- e-mail ---------------------------------------------------------------------
# Outgoing mail is rendered in the request and sent by a Celery task
# (nanxi.tasks.send_email), so a slow mail server never blocks a page.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "南西社区自治 <noreply@nanxi.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- language and time ------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Each language is named in its own words, so anyone can find theirs.
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media")))
# The Chinese font every PDF embeds (nanxi.pdf): a TrueType font, see nanxi/fonts/.
PDF_FONT_PATH = os.environ.get(
    "PDF_FONT_PATH", str(BASE_DIR / "nanxi" / "fonts" / "wqy-microhei.ttc")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- security headers ---------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE")
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE")
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# HSTS preload (W021) stays off on purpose: the preload list is a commitment for
# every subdomain of the street's domain, which this portal does not own.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "nanxi.logs.NoTracebackForClientErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- the street office in the footer (templates/base.html) ------------------------------
# Its address and phone as the deployment sets them; the ICP filing number (ICP备案号)
# shows only once it is set.
STREET_OFFICE_ADDRESS = os.environ.get(
    "STREET_OFFICE_ADDRESS", "上海市静安区南京西路街道办事处"
)
STREET_OFFICE_PHONE = os.environ.get("STREET_OFFICE_PHONE", "12345")
ICP_FILING_NUMBER = os.environ.get("ICP_FILING_NUMBER", "")
TEMPLATES[0]["OPTIONS"]["context_processors"] += [
    "nanxi.context_processors.site",
    "nanxi.context_processors.csrf",
]
# intcomma in Chinese: 14,000 (Django's zh_Hans groups by four, without a separator).
FORMAT_MODULE_PATH = ["nanxi.formats"]
# Django answers a form's address opened as a page with an empty 405: explain instead.
MIDDLEWARE.insert(
    MIDDLEWARE.index("nanxi.middleware.DatabaseUnavailableMiddleware"),
    "nanxi.error_pages.MethodNotAllowedPageMiddleware",
)
