"""Settings for Safeguard Board, read from the environment.

Local defaults need nothing set: SQLite, Celery tasks run eagerly, email printed to the console,
DEBUG on. With DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be given (a missing one is an error)
and the secure-transport settings are on, so `manage.py check --deploy` passes. Every variable
is listed, with an example, in `.env.example`.
"""

from __future__ import annotations

from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("READ_DOT_ENV_FILE", default=False):
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-a-secret-key")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env.str("SECRET_KEY")
    if not SECRET_KEY:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set the ALLOWED_HOSTS environment variable.")

# The board this installation serves, as it appears in the header, page titles and emails.
BOARD_NAME = env.str("BOARD_NAME", default="Hertfordshire Safeguarding Children Board")

# The address people reach the site at, used for links in emails sent from Celery tasks. With
# DEBUG off it must be given, and be https: a wrong address would put sign-in links in emails
# that lead nowhere, or over plain HTTP.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not DEBUG and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("Set SITE_URL to the site's https:// address.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widgets' own templates, for FORM_RENDERER below
    "crispy_forms",
    "crispy_forms_gds",
    "rules.apps.AutodiscoverRulesConfig",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "django_celery_beat",
    "django_filters",
    "hscb",
    "subgroups",
    "casereview",
    "cdop",
    "audits",
]

MIDDLEWARE = [
    "hscb.lib.security.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hscb.lib.sessions.IdleTimeoutMiddleware",
    "hscb.lib.twofactor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hscb.urls"
WSGI_APPLICATION = "hscb.wsgi.application"

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
                "hscb.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# People and sign-in ---------------------------------------------------------------------------
AUTH_USER_MODEL = "hscb.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "hscb.lib.backends.AgencyModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# How long one-time links work, in seconds: a reset link for two hours, the invitation a new
# person is sent to set their first password for three days. Both stop working once used.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 60 * 60)
INVITATION_TIMEOUT = env.int("INVITATION_TIMEOUT", default=3 * 24 * 60 * 60)
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
# A session unused for this many minutes ends; pages warn this many minutes before it does.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_IDLE_WARNING_MINUTES = env.int("SESSION_IDLE_WARNING_MINUTES", default=2)
if not 1 <= SESSION_IDLE_WARNING_MINUTES < SESSION_IDLE_MINUTES:
    raise ImproperlyConfigured(
        "SESSION_IDLE_WARNING_MINUTES must be 1 or more and less than SESSION_IDLE_MINUTES."
    )

# Two-factor sign-in (django-otp): the name authenticator apps show beside the code. Wrong codes
# are limited by the lockout below, not by django-otp's own throttle, which would refuse a right
# code typed soon after a wrong one (an attacker with the password could keep it refusing).
OTP_TOTP_ISSUER = BOARD_NAME
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Lockout after repeated failed sign-ins (django-axes, with the rules of hscb.lib.lockout). A
# wrong code after the password counts like a wrong password.
# - one account from one address: AXES_FAILURE_LIMIT failures lock that pair for the cool-off,
#   so one person mistyping cannot lock out a whole office behind one address;
# - one address, any accounts (password spraying): SIGN_IN_ADDRESS_FAILURE_LIMIT failures lock
#   the address for the cool-off;
# - one account, any addresses: after SIGN_IN_ACCOUNT_FAILURE_LIMIT failures each attempt waits
#   SIGN_IN_ACCOUNT_WAIT_MINUTES after the last; a password reset clears them.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env.int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=30)
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env.int("SIGN_IN_ACCOUNT_FAILURE_LIMIT", default=10)
SIGN_IN_ACCOUNT_WAIT_MINUTES = env.int("SIGN_IN_ACCOUNT_WAIT_MINUTES", default=5)
if (
    min(SIGN_IN_ADDRESS_FAILURE_LIMIT, SIGN_IN_ACCOUNT_FAILURE_LIMIT, SIGN_IN_ACCOUNT_WAIT_MINUTES)
    < 1
):
    raise ImproperlyConfigured("SIGN_IN_* settings must be whole numbers, 1 or more.")
AXES_HANDLER = "hscb.lib.lockout.BoardAxesHandler"
AXES_LOCKOUT_CALLABLE = "hscb.lib.lockout.lockout_response"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failures are cleared for the pair when the whole sign-in (code included) succeeds, not at
# the password alone: otherwise each right password would give a fresh run of code guesses.
AXES_RESET_ON_SUCCESS = False
# Attempts refused during a lockout are not counted, so they cannot keep the lock on.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "code"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "hscb.lib.security.axes_username"
# An IPv6 address counts by its /64 network: one connection is given a whole /64.
AXES_CLIENT_IP_CALLABLE = "hscb.lib.lockout.client_address"
# How many reverse proxies of our own stand in front of the site (a load balancer, nginx): the
# visitor's address is read from X-Forwarded-For that many hops from the right. 0: no proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Language, time and dates: stored in UTC, shown in Europe/London as "27 November 2026".
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["hscb.formats"]

# Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Only the built assets are collected: the Sass sources and build script in static/ stay out.
STATICFILES_DIRS = [(d, BASE_DIR / "static" / d) for d in ("css", "images", "js", "vendor")]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Meeting papers: the largest file accepted, in bytes (20 MB by default).
PAPER_MAX_BYTES = env.int("PAPER_MAX_BYTES", default=20 * 1024 * 1024)
# The whole upload a request may carry, a little over one paper.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# A file over PAPER_MAX_BYTES is refused as it streams in, before it reaches the disk; the
# handlers after it keep small files in memory and write larger ones to a temporary file.
FILE_UPLOAD_HANDLERS = [
    "hscb.lib.upload_limit.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Forms ----------------------------------------------------------------------------------------
# Widgets are drawn from the templates as pages are, so templates/ may mend one (the admin's
# date and time inputs get labels: templates/admin/widgets/split_datetime.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email ----------------------------------------------------------------------------------------
# EMAIL_URL: consolemail:// (the local default), smtp+tls://user:password@host:587 … With
# DEBUG off it must be given: console email would write sign-in links into the server's logs.
if not DEBUG and not env.str("EMAIL_URL", default=""):
    raise ImproperlyConfigured("Set EMAIL_URL to the mail server the site sends through.")
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Safeguard Board <board@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
ADMINS = [("Board administrator", a) for a in env.list("ADMIN_EMAILS", default=[])]

# Celery ---------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# The reminder ladder: days before a due date to remind the owner, then every so many days while
# the item is overdue (the first on the day after the due date).
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[30, 7, 1])
REMINDER_OVERDUE_EVERY_DAYS = env.int("REMINDER_OVERDUE_EVERY_DAYS", default=7)
if any(days < 1 for days in [*REMINDER_DAYS_BEFORE, REMINDER_OVERDUE_EVERY_DAYS]):
    raise ImproperlyConfigured("REMINDER_* settings must be whole numbers of days, 1 or more.")
# The daily reminders and weekly digests send one email a person: give them time.
REMINDER_TASK_TIME_LIMIT = 60 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Case review --------------------------------------------------------------------------------
# A notification about a child already notified (same NHS number, or same name and date of birth)
# within this many days of the earlier one's incident is flagged to the secretariat.
CASEREVIEW_DUPLICATE_WINDOW_DAYS = env.int("CASEREVIEW_DUPLICATE_WINDOW_DAYS", default=180)

# Child Death Overview Panel ------------------------------------------------------------------
# Figures marked for publication below this number are held back (hscb.lib.suppression): a
# total as "fewer than N", any other figure as "withheld". 1 publishes every number; 2 is refused.
CDOP_SUPPRESS_BELOW = env.int("CDOP_SUPPRESS_BELOW", default=3)
# The public notification form: at most this many notifications from one address in the window.
CDOP_PUBLIC_FORM_LIMIT = env.int("CDOP_PUBLIC_FORM_LIMIT", default=5)
CDOP_PUBLIC_FORM_WINDOW_MINUTES = env.int("CDOP_PUBLIC_FORM_WINDOW_MINUTES", default=60)
# Working days the other area's panel has to answer each step of a referral before it is chased.
CDOP_REFERRAL_ANSWER_WORKING_DAYS = env.int("CDOP_REFERRAL_ANSWER_WORKING_DAYS", default=5)
# Months after the panels agree which reviews before the outcome is chased: a review takes months.
CDOP_REFERRAL_OUTCOME_MONTHS = env.int("CDOP_REFERRAL_OUTCOME_MONTHS", default=6)
if (
    min(
        CDOP_SUPPRESS_BELOW,
        CDOP_PUBLIC_FORM_LIMIT,
        CDOP_PUBLIC_FORM_WINDOW_MINUTES,
        CDOP_REFERRAL_ANSWER_WORKING_DAYS,
        CDOP_REFERRAL_OUTCOME_MONTHS,
    )
    < 1
):
    raise ImproperlyConfigured("CDOP_* settings must be whole numbers, 1 or more.")
if CDOP_SUPPRESS_BELOW == 2:
    # Noughts are published, so "fewer than 2" could only mean 1 (hscb.lib.suppression).
    raise ImproperlyConfigured(
        "CDOP_SUPPRESS_BELOW must be 1 (publish every number) or 3 or more, not 2."
    )

# Records retention ---------------------------------------------------------------------------
# The board's records policy (README "Records policy"): how long each kind of record is kept
# before the nightly task deletes it, with the child's details in its history. The defaults are
# a starting point for the board to set, not the law.
# Serious-incident notifications with their decisions, reviews, action plans and lessons: years
# after the last notification of the case was submitted (25 takes every child past their 25th
# birthday, the usual end for records about a child).
RETENTION_CASE_REVIEW_YEARS = env.int("RETENTION_CASE_REVIEW_YEARS", default=25)
# Child deaths with their referrals and the panel's review: years after the date of death.
RETENTION_CHILD_DEATH_YEARS = env.int("RETENTION_CHILD_DEATH_YEARS", default=25)
# Access-log entries (who saw which record, when): years after the view.
RETENTION_ACCESS_LOG_YEARS = env.int("RETENTION_ACCESS_LOG_YEARS", default=6)
# A draft notification untouched for this many days is deleted, its author emailed this many
# days before (once; a change to the draft starts the wait again).
DRAFT_EXPIRY_DAYS = env.int("DRAFT_EXPIRY_DAYS", default=30)
DRAFT_EXPIRY_REMINDER_DAYS = env.int("DRAFT_EXPIRY_REMINDER_DAYS", default=7)
if (
    min(RETENTION_CASE_REVIEW_YEARS, RETENTION_CHILD_DEATH_YEARS, RETENTION_ACCESS_LOG_YEARS) < 1
    or not 1 <= DRAFT_EXPIRY_REMINDER_DAYS < DRAFT_EXPIRY_DAYS
):
    raise ImproperlyConfigured(
        "RETENTION_* settings must be whole numbers of years, 1 or more, and "
        "DRAFT_EXPIRY_REMINDER_DAYS 1 or more and less than DRAFT_EXPIRY_DAYS."
    )
# The nightly retention run reminds and deletes one record at a time: give it time.
RETENTION_TASK_TIME_LIMIT = 60 * 60

# Cache: the public form's rate limit counts in it, so with more than one web process it must be
# shared (Redis: CACHE_URL=redis://redis:6379/1, another database than Celery's).
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# History and access log -----------------------------------------------------------------------
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Security -------------------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_FAILURE_VIEW = "hscb.views.board.csrf_failure"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Error reports (the admins' error emails, the debug page) never carry what was typed, the query
# string or the traceback's local variables: any of them may name a child (hscb/lib/errors.py).
DEFAULT_EXCEPTION_REPORTER = "hscb.lib.errors.ChildSafeExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "hscb.lib.errors.ChildSafeExceptionReporterFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Tracebacks in the logs keep each exception's first line only, with NHS numbers and dates
    # starred: a database error's detail repeats the row, which may be a child's.
    "formatters": {
        "plain": {
            "()": "hscb.lib.errors.ChildSafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "WARNING",
            "propagate": False,
        },
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
