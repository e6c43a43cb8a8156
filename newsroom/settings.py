"""Newsroom settings.

One settings module for every machine: whatever differs between a laptop and production comes from
environment variables, and every default is the safe one for a laptop (see the README's table).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The laptop key is public on purpose, so it is only ever used with DEBUG on: without a key of its own a
# production server refuses to start rather than sign sessions with a key anyone can read.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=0 set SECRET_KEY in the environment to a long random value, e.g. "
            "the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "django-insecure-newsroom-laptop-key-change-me-in-production"  # noqa: S105 - public on purpose
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

SITE_NAME = os.environ.get("SITE_NAME", "The Newsroom")
# The public address (canonical links, cards, JSON-LD, feeds, sitemap). Empty: links follow the address each
# request came to, which is what a laptop wants; production sets it (a deploy check says so).
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
SITE_LANGUAGE = os.environ.get("SITE_LANGUAGE", "en")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django_prose_editor",
    "reversion",
    "articles",
    "comments",
    "wordpress",
]

MIDDLEWARE = [
    # Serves anonymous readers' cached article pages before anything below runs (adding what those would add).
    "newsroom.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "articles.seo.SiteAddressMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.middleware.BadNumberMiddleware",
    # Old WordPress addresses: looked up only for a 404 or a "/?p=ID" home-page request.
    "wordpress.middleware.LegacyRedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "newsroom.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# SQLite file by default; DATABASE_URL=postgres://user@host:5432/name for PostgreSQL (psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's pool; a pooled connection must not also be persistent (CONN_MAX_AGE stays 0).
    if env_bool("DATABASE_POOL", False):
        DATABASES["default"]["OPTIONS"] = {
            "pool": {
                "min_size": env_int("DATABASE_POOL_MIN", 2),
                "max_size": env_int("DATABASE_POOL_MAX", 8),
                # Seconds a request waits for a connection before failing (psycopg's default is 30, as long
                # as gunicorn's worker timeout): a database outage then answers 503s instead of hanging.
                "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
            }
        }
        # With a pool, Django hands this to psycopg's check_connection: a connection the server dropped
        # (restart, failover) is noticed and replaced when it is taken from the pool.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets readers carry on while a comment is written; IMMEDIATE avoids "database is locked" on upgrades.
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------------
# Rate limits and the page cache go through Django's cache so that several app servers agree.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, logging and carrying on without Redis when it is unreachable.
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_after": 5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "newsroom"}}

# --- Background tasks (django-tasks) --------------------------------------------------------------
# "immediate" runs a task in the request that enqueues it; production sets TASK_BACKEND=database and runs
# `manage.py db_worker` (django-tasks-db) as a separate process.
TASK_BACKEND = os.environ.get("TASK_BACKEND", "immediate")
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
            "dummy": "django_tasks.backends.dummy.DummyBackend",
        }[TASK_BACKEND]
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
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

# --- Content-Security-Policy (django-csp) ---------------------------------------------------------------------
# Scripts and styles come from our own static files only: no inline script or style anywhere, no style attribute
# on public pages. An inline <script> must carry the request's nonce (`request.csp_nonce`, as the article page's
# JSON-LD block does). The admin alone also allows inline styles (CSP_ADMIN_INLINE_STYLES), for the style
# attributes of the comment moderation screens; Django's own admin needs none.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap draws its form and menu icons as data: SVGs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
CSP_ADMIN_INLINE_STYLES = env_bool("CSP_ADMIN_INLINE_STYLES", True)

# --- Sign-in ----------------------------------------------------------------------------------------------
# django-axes first: it refuses a locked-out account+address pair before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "newsroom.auth.ThrottledSignInBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After AXES_FAILURE_LIMIT wrong passwords an account is locked for AXES_COOLOFF_MINUTES from that address only
# (another address, or another account from the same one, is unaffected). Counted in the database, so every app
# server agrees; a successful sign-in clears the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "newsroom.auth.locked_out"
# The reader's address as the comments app works it out (X-Forwarded-For only from TRUSTED_PROXIES).
AXES_CLIENT_IP_CALLABLE = "comments.views.client_ip"
AXES_VERBOSE = False
LOGIN_URL = "admin:login"
# Without ?next= a sign-in lands on the admin index (the only signed-in home there is), not /accounts/profile/.
LOGIN_REDIRECT_URL = "admin:index"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Production hardening (on whenever DEBUG is off) ------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    # Load balancers probe over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Checks a deployment has knowingly accepted, e.g. comments.W001 where comments are not spam-checked at all.
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Comments ----------------------------------------------------------------------------------------
COMMENTS_MAX_DEPTH = env_int("COMMENTS_MAX_DEPTH", 4)
COMMENTS_PER_PAGE = env_int("COMMENTS_PER_PAGE", 50)  # top-level threads a page
COMMENTS_NEWEST_FIRST = env_bool("COMMENTS_NEWEST_FIRST", True)
COMMENTS_CLOSE_AFTER_DAYS = env_int("COMMENTS_CLOSE_AFTER_DAYS", 14)
COMMENTS_PREMODERATE = env_bool("COMMENTS_PREMODERATE", False)
COMMENTS_RATE_LIMIT_SECONDS = env_int("COMMENTS_RATE_LIMIT_SECONDS", 15)
COMMENTS_REPORT_THRESHOLD = env_int("COMMENTS_REPORT_THRESHOLD", 3)
# Reverse proxies whose X-Forwarded-For is believed when working out a reader's IP address (rate limits, spam
# checks, reports). The same variable tells gunicorn which proxies may set X-Forwarded-*; a reader connecting
# from anywhere else cannot pass for another address.
TRUSTED_PROXIES = env_list("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# An IPv6 reader is their /64 (what an ISP hands one subscriber) for rate limits, report counting and blocklists.
COMMENTS_IPV6_PREFIX = env_int("COMMENTS_IPV6_PREFIX", 64)

# --- Akismet -----------------------------------------------------------------------------------------
AKISMET_API_KEY = os.environ.get("AKISMET_API_KEY", "")
AKISMET_TIMEOUT = float(os.environ.get("AKISMET_TIMEOUT", "2"))
# Akismet's is_test flag: on everywhere but production.
AKISMET_IS_TEST = env_bool("AKISMET_IS_TEST", DEBUG)

# --- Spam retention ------------------------------------------------------------------------------------
SPAM_RETENTION_DAYS = env_int("SPAM_RETENTION_DAYS", 15)
BLATANT_SPAM_RETENTION_DAYS = env_int("BLATANT_SPAM_RETENTION_DAYS", 1)

# --- Page cache ----------------------------------------------------------------------------------------
# Anonymous article pages are cached this long (0 turns the page cache off); invalidation is explicit.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 300)

# --- The reporter's desk -------------------------------------------------------------------------------
ARTICLE_REVISIONS_KEEP = env_int("ARTICLE_REVISIONS_KEEP", 100)  # revisions kept per article, oldest go first
ARTICLE_LOCK_SECONDS = env_int("ARTICLE_LOCK_SECONDS", 120)  # an edit lock lasts this long after the last heartbeat
ARTICLE_LEAD_IMAGE_WIDTHS = [480, 960, 1600]
# Photos placed in an article's text use the widest of those renditions up to this width (the text column).
ARTICLE_INLINE_IMAGE_WIDTH = 960
ARTICLE_IMAGE_MAX_BYTES = env_int("ARTICLE_IMAGE_MAX_BYTES", 20 * 1024 * 1024)  # largest photo upload
# While one request rebuilds a page whose article changed, other anonymous readers are served the previous copy,
# never once the oldest change it lacks is this old (0: every reader renders a changed page itself).
PAGE_CACHE_STALE_SECONDS = env_float("PAGE_CACHE_STALE_SECONDS", 1.0)
# Changes younger than this are gathered for one rebuild: the previous copy is served without anyone rebuilding,
# so a comment storm costs a rebuild every this many seconds, not one per comment (capped by the bound above).
PAGE_CACHE_REBUILD_AFTER = env_float("PAGE_CACHE_REBUILD_AFTER", 0.4)
