"""Settings for Pioneer, read from the environment (twelve-factor, django-environ).

Every value that differs between a laptop, CI and a ministry's server comes from an
environment variable; `.env.example` lists them. The defaults are those of `make run`
minus DEBUG: an unconfigured process is a safe one.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Production must bring its own key; the fallback only exists for DEBUG and tests.
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and env.bool("PIONEER_REQUIRE_SECRET_KEY", default=False):
        raise environ.ImproperlyConfigured("SECRET_KEY must be set in production.")
    # The "django-insecure-" prefix makes `manage.py check --deploy` flag it (security.W009).
    SECRET_KEY = "django-insecure-development-key-" + "x" * 40  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "pioneer.apps.PioneerAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "template_partials",
    "django_htmx",
    "django_filters",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "health_check",
    "pioneer",
    "cohorts",
    "tandems",
    "companion",
    "evaluation",
    "blueprints",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pioneer.middleware.PrivacyHeadersMiddleware",
    "pioneer.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pioneer.middleware.SecondFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

# The benchmark's query counter and floor page (pioneer/bench.py): only `make bench` sets it.
PIONEER_BENCH = env.bool("PIONEER_BENCH", default=False)
if PIONEER_BENCH:
    MIDDLEWARE.insert(0, "pioneer.bench.QueryCountMiddleware")

ROOT_URLCONF = "pioneer.urls"
WSGI_APPLICATION = "pioneer.wsgi.application"

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
                "pioneer.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each gunicorn worker keeps its connection between requests: opening one costs PostgreSQL a
# new backend process, measured at 5 to 10 ms a request on the 2-core bench machine, more than
# a small page's whole work. Health checks replace a connection the server dropped (restart,
# idle timeout) before a request uses it. A worker holds at most one connection at a time.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=True))
# PostgreSQL binds the parameters itself and keeps a statement prepared from its fifth run
# on a connection: a page asks the same questions on every request, and planning a query of
# several joins can take longer than running it (1.7 ms against 1.2 ms for the partner's
# event registrations at N = 50). Switch it off behind a pooler in transaction mode that
# does not track prepared statements (PgBouncer before 1.21).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis, and a per-process memory cache while Redis does not answer: sign-in
            # and the public forms keep working, and their rate limits keep counting
            # (see pioneer/cache.py for why per process).
            "BACKEND": "pioneer.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="pioneer"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    # A real cache (not the dummy) so allauth's rate limits work even on a laptop.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "pioneer.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # ModelBackend with the roles read in the same query (pioneer/auth.py).
    "pioneer.auth.Backend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"

# allauth: the e-mail address is the login; accounts are created by invitation or by
# the public interest form, never by open sign-up.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "pioneer.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# Invitation and password-reset links: the invitation e-mail promises three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Pioneer] "
ACCOUNT_PREVENT_ENUMERATION = True
# Sign-up is closed: do not e-mail strangers who ask for a reset ("no account; sign up here").
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}
# Behind a reverse proxy, how many proxies add to X-Forwarded-For: the client address
# that every rate limit counts (allauth's and our public forms') is taken from there.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Pioneer"
# Programme offices and evaluators see personal data of many people: they must use a
# second factor. Production defaults to on; `make run` and the tests switch it off.
REQUIRE_STAFF_MFA = env.bool("REQUIRE_STAFF_MFA", default=not DEBUG)

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
# Our catalogue first; then formal German ("Sie") for django-allauth's informal strings.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "overrides"]
TIME_ZONE = "Europe/Berlin"
# Each language its own date format: English pages day month year with a 24-hour clock.
FORMAT_MODULE_PATH = ["pioneer.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The design system and htmx come from npm (node_modules), never from another host.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("kern", BASE_DIR / "node_modules" / "@kern-ux" / "native" / "dist"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Results of jobs (exports, documents): outside MEDIA_ROOT and without a URL, so no
# static or media route can ever serve them; only the job's download view does.
PRIVATE_ROOT = Path(env("PRIVATE_ROOT", default=str(BASE_DIR / "private")))
STORAGES["jobs"] = {
    "BACKEND": "pioneer.storage.PrivateStorage",
    "OPTIONS": {"location": PRIVATE_ROOT / "jobs"},
}
# Files of blueprints (below PRIVATE_ROOT/blueprints, served only by the guarded view): the
# largest upload, and the most an Office or OpenDocument file may unpack to.
BLUEPRINT_MAX_UPLOAD_MB = env.int("BLUEPRINT_MAX_UPLOAD_MB", default=20)
BLUEPRINT_MAX_UNPACKED_MB = env.int("BLUEPRINT_MAX_UNPACKED_MB", default=100)
# The GovData contributor ID (an IRI from http://dcat-ap.de/def/contributors/) named in the
# blueprint catalogue; empty: none (ask GovData for one before a portal harvests it).
DCATDE_CONTRIBUTOR_ID = env("DCATDE_CONTRIBUTOR_ID", default="")
# How long a job's result file can be downloaded before the dispatcher deletes it.
JOB_RESULT_HOURS = env.int("JOB_RESULT_HOURS", default=24)

EMAIL_CONFIG = env.email_url(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
# `make run` prints e-mails readably (decoded, framed, apart from the request log).
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":  # noqa: F821
    EMAIL_BACKEND = "pioneer.email_console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Pioneer <noreply@pioneer.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails point here. `make run` passes the address of the port it serves on; the
# embedded default follows PORT, so another port never sends links to 8000.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
# Who runs this installation (named in every page's header) and who answers questions
# (the signature of every e-mail). Empty: the header names none, the e-mails sign as "the
# programme office".
OPERATOR_NAME = env("OPERATOR_NAME", default="")
PROGRAMME_OFFICE_NAME = env("PROGRAMME_OFFICE_NAME", default="")
PROGRAMME_OFFICE_EMAIL = env("PROGRAMME_OFFICE_EMAIL", default="programmbuero@pioneer.example")
PROGRAMME_OFFICE_PHONE = env("PROGRAMME_OFFICE_PHONE", default="")

# Evaluation: the secret behind the pseudonymous codes that link a person's answers across
# surveys (evaluation/pseudonyms.py). It lives only here, never in the database; without
# it a development key is used, except in production (PIONEER_REQUIRE_SECRET_KEY), where
# answering a survey refuses to work until it is set.
EVALUATION_PSEUDONYM_KEY = env("EVALUATION_PSEUDONYM_KEY", default="")
if not EVALUATION_PSEUDONYM_KEY and not env.bool("PIONEER_REQUIRE_SECRET_KEY", default=False):
    EVALUATION_PSEUDONYM_KEY = "development-pseudonym-key-" + "y" * 32  # noqa: S105
# Results of a group with fewer answers than this are not shown anywhere.
EVALUATION_THRESHOLD = env.int("EVALUATION_THRESHOLD", default=5)

CRISPY_ALLOWED_TEMPLATE_PACKS = ("kern",)
CRISPY_TEMPLATE_PACK = "kern"
# Django's widget templates, with the plain inputs and selects written in Python (measured
# in pioneer/form_renderer.py's docstring); everything else through the templates.
FORM_RENDERER = "pioneer.form_renderer.FastWidgetRenderer"

# Celery: with no broker configured, tasks run inline (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# The dispatcher runs every minute: it also takes up the rows of senders that died, so
# this (plus the stale-claim time below) bounds how long such a row waits.
NOTIFICATION_DISPATCH_SECONDS = env.int("NOTIFICATION_DISPATCH_SECONDS", default=60)
# The hard time limit of one send task (one e-mail); a claim older than this plus the
# grace belongs to a sender that died, and the dispatcher takes the row up again.
NOTIFICATION_SEND_TIME_LIMIT = env.int("NOTIFICATION_SEND_TIME_LIMIT", default=60)
NOTIFICATION_STALE_GRACE = env.int("NOTIFICATION_STALE_GRACE", default=30)
# Neither can a send hang on a mail server that stops answering: the SMTP socket gives
# up well within the task's time limit.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# The one static beat schedule: due dates live in the database, not in the broker.
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-notifications": {
        "task": "pioneer.tasks.dispatch_due_notifications",
        "schedule": float(NOTIFICATION_DISPATCH_SECONDS),
    },
}

# Security. HTTPS-only behaviour follows DEBUG unless told otherwise.
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# Load balancers and container probes ask /health/ over plain HTTP and follow no redirect.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Database sessions, read with one fixed statement (pioneer/sessions.py).
SESSION_ENGINE = "pioneer.sessions"
LANGUAGE_COOKIE_SECURE = HTTPS
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = []

# Nothing is ever loaded from another host: the policy says so to the browser too.
SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint tells each step of every PDF at INFO (seven lines a certificate or
        # agreement, and some hundred while `seed_demo` makes the demo's PDFs): its
        # warnings about the documents are kept.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Demo world: the password every demo login shares.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="pioneer-demo")
# Who receives reports of barriers and privacy requests.
ACCESSIBILITY_CONTACT_EMAIL = env(
    "ACCESSIBILITY_CONTACT_EMAIL", default="barrierefreiheit@pioneer.example"
)
PRIVACY_CONTACT_EMAIL = env("PRIVACY_CONTACT_EMAIL", default="datenschutz@pioneer.example")
# The privacy notice's version: stored with every consent given on a public form.
PRIVACY_NOTICE_VERSION = "2026-11"
