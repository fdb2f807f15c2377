"""Settings shared by every environment.

Everything that differs between a laptop and production comes from environment
variables (see the configuration table in README.md). With none set, the site runs
on embedded services: SQLite under ``var/``, an in-process channel layer, a local
cache and a filesystem Celery broker. ``DATABASE_URL`` and ``REDIS_URL`` switch to
PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer may keep variables in a .env file at the top of the checkout.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("HALOBUZZ_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# When true, a test that needs PostgreSQL, Redis, ffmpeg or chromium fails instead
# of skipping. CI sets it.
HALOBUZZ_REQUIRE_SERVICES = env.bool("HALOBUZZ_REQUIRE_SERVICES", default=False)

INSTALLED_APPS = [
    "halobuzz.admin_apps.HaloBuzzAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    # Third party
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "djmoney",
    "django_celery_beat",
    # HaloBuzz
    "halobuzz.core",
    "halobuzz.users",
    "halobuzz.notifications",
    "streams",
    "economy",
    "trust",
    "trust.verification",
    "trust.privacy",
    "trust.audit",
    "growth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "halobuzz.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "halobuzz.users.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "halobuzz.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "halobuzz.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "halobuzz.core.context_processors.site",
                "halobuzz.notifications.context_processors.unread_notifications",
                "trust.privacy.context_processors.privacy",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'halobuzz.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the Celery worker and beat share one SQLite file under
    # `make run`; WAL plus IMMEDIATE transactions keep them from tripping over
    # "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif env.bool("DATABASE_POOL", default=True):
    # A pool per process (psycopg_pool): under ASGI a connection per request or room
    # call cost about 11 ms to open, and persistent connections are per thread, which
    # Django advises against there. Django checks a connection out of the pool for
    # each request and database_sync_to_async call and returns it afterwards.
    DATABASES["default"]["OPTIONS"] = {
        "pool": {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker ----------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Bounded connect time so that /readyz answers quickly when Redis is down.
REDIS_SOCKET_TIMEOUT_SECONDS = 2

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "halobuzz",
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
            },
        }
    }
    # Which channels-redis layer carries the live rooms' fan-out (docs/benchmarks.md,
    # "Live room: chat fan-out"). "pubsub": one PUBLISH per group send, which every
    # process subscribed to the group fans out in memory; nothing is kept for a process
    # that is not listening (room events carry `seq`, so clients resume). It delivered
    # about 1.75x the frames of "core" for the same CPU and delays rather than drops
    # under overload. "core": a sorted set per process in Redis, bounded
    # (CHANNEL_LAYER_CAPACITY messages a channel, older ones dropped) and kept
    # CHANNEL_LAYER_EXPIRY seconds for a process that is not reading.
    CHANNEL_LAYER_BACKEND = env.str("CHANNEL_LAYER_BACKEND", default="pubsub")
    _channel_layer_host = {
        "address": REDIS_URL,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
        # Above channels-redis's 5 s blocking pop (redis-py 8 defaults to 5 s, which
        # breaks an idle socket's receive loop).
        "socket_timeout": 10,
    }
    if CHANNEL_LAYER_BACKEND == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [_channel_layer_host], "prefix": "halobuzz"},
            }
        }
    elif CHANNEL_LAYER_BACKEND == "core":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [_channel_layer_host],
                    "prefix": "halobuzz",
                    "capacity": env.int("CHANNEL_LAYER_CAPACITY", default=100),
                    "expiry": env.int("CHANNEL_LAYER_EXPIRY", default=60),
                },
            }
        }
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured('CHANNEL_LAYER_BACKEND must be "core" or "pubsub".')
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "halobuzz",
        }
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Kombu's filesystem transport: a folder of message files that the web
    # process and the worker share, so periodic jobs run with no broker installed.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    _broker_folder = VAR_DIR / "celery-broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_folder / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_folder / "queue"),
        "data_folder_out": str(_broker_folder / "queue"),
        "processed_folder": str(_broker_folder / "processed"),
        # Exchange tables for broadcast commands (worker control, pidbox).
        "control_folder": str(_broker_folder / "control"),
        "store_processed": False,
    }

# --- Celery ----------------------------------------------------------------------
CELERY_TIMEZONE = "UTC"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The DatabaseScheduler copies these into the database on start; from then on
# operators edit them under "Periodic tasks" in the admin.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "halobuzz.core.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 6,
    },
    "record-worker-heartbeat": {
        "task": "halobuzz.core.tasks.record_worker_heartbeat",
        "schedule": 60,
    },
    "sweep-live-streams": {
        "task": "streams.tasks.sweep_live_streams",
        "schedule": 10,
    },
    "capture-live-thumbnails": {
        "task": "streams.tasks.capture_live_thumbnails",
        # Streams are due every THUMBNAIL_INTERVAL_SECONDS, reported ones more often.
        "schedule": 10,
    },
    "prune-room-events": {
        "task": "streams.tasks.prune_room_events",
        "schedule": 60 * 60,
    },
    "roll-up-ledger-balances": {
        "task": "economy.tasks.roll_up_balances",
        "schedule": 60,
    },
    "remind-subscription-renewals": {
        "task": "economy.tasks.remind_subscription_renewals",
        "schedule": 60 * 60,
    },
    "end-lapsed-og-memberships": {
        "task": "economy.tasks.end_lapsed_og_memberships",
        "schedule": 5 * 60,
    },
    "check-pending-payments": {
        "task": "economy.tasks.check_pending_payments",
        "schedule": 60,
    },
    "audit-ledger": {
        "task": "economy.tasks.audit_ledger_nightly",
        "schedule": crontab(hour=3, minute=17),
    },
    "recompute-trust-scores": {
        "task": "trust.tasks.recompute_all_trust_scores",
        "schedule": crontab(hour=2, minute=41),
    },
    "evaluate-trust-badges": {
        "task": "trust.tasks.evaluate_all_badges",
        "schedule": crontab(hour=3, minute=41),
    },
}

# --- Auth ------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
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

ACCOUNT_ADAPTER = "halobuzz.users.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_USER_DISPLAY = "halobuzz.users.selectors.get_display_name"
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_USERNAME_VALIDATORS = "halobuzz.users.validators.USERNAME_VALIDATORS"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[HaloBuzz] "
# Lockout: after LOGIN_FAILURE_LIMIT wrong passwords for one account (or 20 from one
# address in a minute) further attempts are refused until the window passes,
# even with the right password.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"20/m/ip,{LOGIN_FAILURE_LIMIT}/{LOGIN_LOCKOUT_SECONDS}s/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "HaloBuzz"

# --- API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an anonymous call gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_PAGINATION_CLASS": "halobuzz.core.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "halobuzz.core.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_RATE", default="120/minute"),
        "user": env.str("API_USER_RATE", default="1200/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HaloBuzz API",
    "DESCRIPTION": (
        "Partner API of HaloBuzz. Authenticate with a session (the website) or "
        "with `Authorization: Token <key>` (partners). Errors share one shape: "
        '`{"code", "message", "extra"}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ne", _("Nepali")),
    ("hi", _("Hindi")),
    ("pt-br", _("Portuguese (Brazil)")),
]
# locale/ is ours (makemessages). locale_allauth/ adds Nepali and Hindi for the
# django-allauth strings our sign-in pages show; allauth ships no catalog for them.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_allauth"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "halobuzz_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE_COOKIE_NAME = "halobuzz_tz"

# django-money: the currencies users may pick and prices may be shown in.
CURRENCIES = ("NPR", "INR", "BRL", "USD", "EUR", "GBP")
CURRENCY_CHOICES = [
    ("NPR", _("Nepalese rupee")),
    ("INR", _("Indian rupee")),
    ("BRL", _("Brazilian real")),
    ("USD", _("US dollar")),
    ("EUR", _("Euro")),
    ("GBP", _("British pound")),
]

# --- Static and media ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
AVATAR_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
AVATAR_SIZE_PIXELS = 256

# --- Live video ----------------------------------------------------------------------
# `self_hosted`: browser camera or OBS/RTMP -> ffmpeg / nginx-rtmp -> HLS served by us.
# `agora`: hosts and viewers also get Agora RTC tokens (GET /api/v1/streams/<id>/rtc-token/).
VIDEO_PROVIDER = env.str("VIDEO_PROVIDER", default="self_hosted")
AGORA_APP_ID = env.str("AGORA_APP_ID", default="")
AGORA_APP_CERTIFICATE = env.str("AGORA_APP_CERTIFICATE", default="")
AGORA_TOKEN_LIFETIME_SECONDS = 60 * 60
# Live HLS (playlists and segments) from both ingest paths; nginx serves HLS_URL
# from this folder in production, Django serves it otherwise.
HLS_ROOT = Path(env.str("HLS_ROOT", default=str(MEDIA_ROOT / "live")))
HLS_URL = "/hls/"
HLS_SEGMENT_SECONDS = env.int("HLS_SEGMENT_SECONDS", default=2)
HLS_PLAYLIST_SEGMENTS = env.int("HLS_PLAYLIST_SEGMENTS", default=6)
# Browser ingest places its own keyframes, so it can cut shorter segments than OBS
# encoders allow (their keyframes come every 1-2 s); shorter segments, less delay.
BROWSER_HLS_SEGMENT_SECONDS = env.int("BROWSER_HLS_SEGMENT_SECONDS", default=1)
RECORDINGS_ROOT = Path(env.str("RECORDINGS_ROOT", default=str(MEDIA_ROOT / "recordings")))
# An ffmpeg binary: FFMPEG_BINARY, else `ffmpeg` on PATH, else the imageio-ffmpeg wheel's.
FFMPEG_BINARY = env.str("FFMPEG_BINARY", default="")
# nginx-rtmp calls /internal/rtmp/* with this secret; `manage.py media_server` writes it
# into the nginx config. Derived from SECRET_KEY unless set.
MEDIA_SERVER_SECRET = env.str("MEDIA_SERVER_SECRET", default="")
RTMP_INGEST_URL = env.str("RTMP_INGEST_URL", default="rtmp://127.0.0.1:1935/live")
MEDIA_SERVER_RTMP_PORT = env.int("MEDIA_SERVER_RTMP_PORT", default=1935)
MEDIA_SERVER_HTTP_PORT = env.int("MEDIA_SERVER_HTTP_PORT", default=8080)
# nginx-rtmp asks every this-many seconds whether a publisher may go on; a rotated
# key, a ban or an admin "end stream" cuts the publisher off at the next ask.
RTMP_UPDATE_INTERVAL_SECONDS = 10
STREAMS_MAX_NEW_PER_DAY = env.int("STREAMS_MAX_NEW_PER_DAY", default=5)
STREAM_RESUME_GRACE_SECONDS = env.int("STREAM_RESUME_GRACE_SECONDS", default=60)
# A browser publisher that sends nothing for this long is cut off (a stalled upload).
BROWSER_INGEST_STALL_SECONDS = env.int("BROWSER_INGEST_STALL_SECONDS", default=15)
BROWSER_INGEST_MAX_CHUNK_BYTES = 4 * 1024 * 1024
VIEWER_HEARTBEAT_SECONDS = 15
# A viewer whose last heartbeat is older than this is no longer counted as watching.
VIEWER_TIMEOUT_SECONDS = 45
THUMBNAIL_FRAMES_KEPT = 10

# --- The live room (docs/realtime-protocol.md) --------------------------------------
# Per-user chat rate: a token bucket refilling this many per second, holding a burst.
CHAT_MESSAGES_PER_SECOND = env.float("CHAT_MESSAGES_PER_SECOND", default=1.0)
CHAT_MESSAGE_BURST = env.int("CHAT_MESSAGE_BURST", default=5)
CHAT_HISTORY_ON_JOIN = 50
# A client further behind than this many events gets a fresh welcome, not a replay.
ROOM_REPLAY_MAX_EVENTS = 1000
# Any socket: frames a second (and burst) before `flood`, and the largest text frame.
ROOM_FRAMES_PER_SECOND = 20
ROOM_FRAME_BURST = 40
ROOM_FRAME_MAX_BYTES = 4096
# Frames a room socket may fall behind (its client not reading) before it is closed
# and resumes from the room's stored events: about 25 s of a busy chat.
ROOM_SOCKET_BACKLOG = env.int("ROOM_SOCKET_BACKLOG", default=500)
ROOM_PRESENCE_BROADCAST_SECONDS = env.float("ROOM_PRESENCE_BROADCAST_SECONDS", default=2.0)
# Open sockets check in this often; a presence row older than the timeout is a
# socket whose server died, and stops counting.
ROOM_PRESENCE_TOUCH_SECONDS = 20
ROOM_PRESENCE_TIMEOUT_SECONDS = 60
ROOM_REACTION_WINDOW_SECONDS = 0.25
ROOM_POLL_RESULTS_SECONDS = 1.0


# --- Coin economy (docs/architecture.md, "The ledger" and "Payments") ---------------
# Payment providers on offer, in the order the wallet shows them. `dev` (pay with a
# button) is refused at start-up unless DEBUG is on; local.py offers it by default.
def payment_providers_from_env(names: list[str]) -> dict[str, dict]:
    """Each named provider's options, read from its own variables."""
    providers: dict[str, dict] = {name: {} for name in names}
    if "stripe" in providers:
        providers["stripe"] = {
            "secret_key": env.str("STRIPE_SECRET_KEY"),
            "webhook_secret": env.str("STRIPE_WEBHOOK_SECRET"),
            "api_base": env.str("STRIPE_API_BASE", default="https://api.stripe.com"),
        }
    if "esewa" in providers:
        providers["esewa"] = {
            "product_code": env.str("ESEWA_PRODUCT_CODE"),
            "secret_key": env.str("ESEWA_SECRET_KEY"),
            # eSewa's test environment; production is https://epay.esewa.com.np and
            # https://esewa.com.np.
            "form_base": env.str("ESEWA_FORM_BASE", default="https://rc-epay.esewa.com.np"),
            "status_base": env.str("ESEWA_STATUS_BASE", default="https://rc.esewa.com.np"),
        }
    if "khalti" in providers:
        providers["khalti"] = {
            "secret_key": env.str("KHALTI_SECRET_KEY"),
            # Khalti's sandbox; production is https://khalti.com/api/v2.
            "api_base": env.str("KHALTI_API_BASE", default="https://dev.khalti.com/api/v2"),
            "website_url": env.str("KHALTI_WEBSITE_URL", default=""),
        }
    return providers


PAYMENT_PROVIDERS = payment_providers_from_env(env.list("PAYMENT_PROVIDERS", default=[]))


def payment_checkout_origins(providers: dict[str, dict]) -> list[str]:
    """Where the buyer's browser is sent to pay: allowed as CSP form-action targets
    (Chrome applies form-action to the redirect after our buy form, too)."""
    origins = []
    if "stripe" in providers:
        origins.append("https://checkout.stripe.com")
    if "esewa" in providers:
        origins.append(providers["esewa"]["form_base"])
    if "khalti" in providers:
        origins += ["https://pay.khalti.com", "https://test-pay.khalti.com"]
    return origins


PAYMENTS_DEV_PROVIDER_WITHOUT_DEBUG = False
PAYMENT_HTTP_TIMEOUT_SECONDS = 15
# A payment still pending after this long is asked about (economy.tasks).
PAYMENT_STATUS_CHECK_AFTER_SECONDS = 5 * 60
# Viewers' gifts: what one send may hold, and a combo's longest streak.
GIFT_MAX_QUANTITY = 99
GIFT_MAX_COMBO = 999
# Gifts sent at once in one process are written together on PostgreSQL, up to this
# many per statement (economy.services.gift_batches).
GIFT_BATCHING = env.bool("GIFT_BATCHING", default=True)
GIFT_BATCH_MAX = env.int("GIFT_BATCH_MAX", default=100)
# Diamonds a creator earns per coin spent on them before the partner share.
DIAMONDS_PER_COIN = 1
# What one diamond pays out in each currency (published on the earnings page), and
# the smallest withdrawal (1,000 diamonds: $10).
DIAMOND_PAYOUT_RATES = {
    "USD": "0.01",
    "EUR": "0.0092",
    "GBP": "0.0079",
    "BRL": "0.055",
    "INR": "0.84",
    "NPR": "1.34",
}
PAYOUT_MINIMUM_DIAMONDS = env.int("PAYOUT_MINIMUM_DIAMONDS", default=1000)


# --- Reports and moderation cases (docs/architecture.md, "Trust and safety") -------
# A viewer may send REPORTS_BURST reports at once, then REPORTS_PER_HOUR an hour.
REPORTS_PER_HOUR = env.int("REPORTS_PER_HOUR", default=20)
REPORTS_BURST = env.int("REPORTS_BURST", default=5)
# Moderators may suspend for up to this many days; longer, and bans, need a senior.
MODERATOR_MAX_SUSPEND_DAYS = env.int("MODERATOR_MAX_SUSPEND_DAYS", default=7)
# A member may appeal a decision about them once, within this many days.
APPEAL_WINDOW_DAYS = env.int("APPEAL_WINDOW_DAYS", default=30)
# Events that feed a trust score within this window cause one recomputation.
TRUST_RECOMPUTE_DEBOUNCE_SECONDS = env.int("TRUST_RECOMPUTE_DEBOUNCE_SECONDS", default=60)
# AI image moderation runs on this Celery queue; workers must consume it.
CELERY_TASK_ROUTES = {
    "trust.tasks.moderate_stream_frame": {"queue": "moderation"},
    "trust.tasks.moderate_avatar": {"queue": "moderation"},
}
# A live stream's frame is captured (and scanned) this often; more often while it has
# an open moderation case (reports or AI findings).
THUMBNAIL_INTERVAL_SECONDS = env.int("THUMBNAIL_INTERVAL_SECONDS", default=30)
REPORTED_THUMBNAIL_INTERVAL_SECONDS = env.int("REPORTED_THUMBNAIL_INTERVAL_SECONDS", default=10)
# Usernames, display names, bios and stream titles scoring this high with AutoMod
# are refused when saved (trust/services/public_text.py).
PUBLIC_TEXT_AUTOMOD_THRESHOLD = env.float("PUBLIC_TEXT_AUTOMOD_THRESHOLD", default=0.9)
# Badge rules (trust/badges/rules.py).
TRUSTED_STREAMER_HOURS = env.int("TRUSTED_STREAMER_HOURS", default=10)
COMMUNITY_CHAMPION_UPHELD_REPORTS = env.int("COMMUNITY_CHAMPION_UPHELD_REPORTS", default=3)
COMMUNITY_CHAMPION_CHAT_MESSAGES = env.int("COMMUNITY_CHAMPION_CHAT_MESSAGES", default=50)

# --- Image moderation (trust.vision; docs/benchmarks.md, "Image moderation") -------
# An image's NSFW score (0-1, the NudeNet detector's confidence in an exposed explicit
# body part) at or above REVIEW asks a moderator; at or above BLOCK the image is hidden
# at once. Block is kept high because hiding a frame interrupts a live stream.
MODERATION_REVIEW_THRESHOLD = env.float("MODERATION_REVIEW_THRESHOLD", default=0.5)
MODERATION_BLOCK_THRESHOLD = env.float("MODERATION_BLOCK_THRESHOLD", default=0.8)
# onnxruntime threads per image: 1 keeps one image on one core, and a worker process
# per core on the `moderation` queue scales with cores.
MODERATION_MODEL_THREADS = env.int("MODERATION_MODEL_THREADS", default=1)


# --- Email ---------------------------------------------------------------------
def _mailer_from_url(url: str) -> dict:
    """Django 6.1's MAILERS entry from an EMAIL_URL such as smtp+tls://user:pw@host:587."""
    parsed = env.email_url_config(url)
    backend = parsed["EMAIL_BACKEND"]
    options = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": parsed["EMAIL_HOST"],
            "port": parsed["EMAIL_PORT"],
            "username": parsed["EMAIL_HOST_USER"] or "",
            "password": parsed["EMAIL_HOST_PASSWORD"] or "",
            "use_tls": bool(parsed.get("EMAIL_USE_TLS")),
            "use_ssl": bool(parsed.get("EMAIL_USE_SSL")),
            "timeout": 15,
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": "/" + parsed["EMAIL_FILE_PATH"].lstrip("/")}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer_from_url(env.str("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="HaloBuzz <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers that hold everywhere ---------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_HTTPONLY = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    # hls.js demuxes in a worker it starts from a blob: URL.
    "worker-src": [CSP.SELF, "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF, *payment_checkout_origins(PAYMENT_PROVIDERS)],
    "frame-ancestors": [CSP.NONE],
}

# --- Logging: one JSON object per line on stdout ---------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "halobuzz.core.logging.RequestIdFilter"}},
    "formatters": {"json": {"()": "halobuzz.core.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "uvicorn.access": {"level": "WARNING"},
    },
}


# --- Verification layers (trust.verification) ----------------------------------------
# Where phone codes are sent: `twilio` (the TWILIO_* variables) or `dev` (codes are
# logged and shown to staff under "Text messages (dev provider)" in the console).
# Unset: `dev` while DEBUG is on, otherwise no provider and no phone layer on offer.
# `dev` named with DEBUG off is refused at start-up; test settings opt in with
# SMS_DEV_PROVIDER_WITHOUT_DEBUG.
SMS_PROVIDER = env.str("SMS_PROVIDER", default="")
SMS_DEV_PROVIDER_WITHOUT_DEBUG = False
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
# A number of the Twilio account in E.164, or an alphanumeric sender ID.
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="https://api.twilio.com")
SMS_HTTP_TIMEOUT_SECONDS = 15
# A phone code lasts this long and survives this many wrong guesses. A new code may
# be asked for after the cooldown, and at most PHONE_CODE_SENDS_PER_HOUR are sent
# an hour to one account and to one number; PHONE_CODE_SENDS_PER_HOUR_PER_IP caps
# what one client address can have sent, whichever accounts and numbers it uses.
PHONE_CODE_LIFETIME_SECONDS = 10 * 60
PHONE_CODE_MAX_ATTEMPTS = 5
PHONE_CODE_RESEND_COOLDOWN_SECONDS = 60
PHONE_CODE_SENDS_PER_HOUR = env.int("PHONE_CODE_SENDS_PER_HOUR", default=5)
PHONE_CODE_SENDS_PER_HOUR_PER_IP = env.int("PHONE_CODE_SENDS_PER_HOUR_PER_IP", default=10)
# Identity documents live here, outside MEDIA_ROOT: no URL serves them; staff with
# the "view identity documents" permission see them through the console.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private-media")))
# Document images are deleted this many days after staff decide on them.
IDENTITY_DOCUMENT_RETENTION_DAYS = env.int("IDENTITY_DOCUMENT_RETENTION_DAYS", default=30)
IDENTITY_DOCUMENT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IDENTITY_SUBMISSIONS_PER_DAY = 3
CELERY_BEAT_SCHEDULE["expire-verifications"] = {
    "task": "trust.verification.tasks.expire_verifications",
    "schedule": 15 * 60,
}
CELERY_BEAT_SCHEDULE["delete-old-identity-documents"] = {
    "task": "trust.verification.tasks.delete_old_identity_documents",
    "schedule": crontab(hour=4, minute=41),
}


# --- Privacy rights (trust.privacy; docs/architecture.md, "Privacy") -----------------
# Raising the version asks everyone for their cookie choices again (the banner
# returns); the date is shown on the privacy policy.
PRIVACY_POLICY_VERSION = env.str("PRIVACY_POLICY_VERSION", default="1.0")
PRIVACY_POLICY_UPDATED_ON = env.str("PRIVACY_POLICY_UPDATED_ON", default="2026-11-22")
# Shown on the privacy policy as the address for privacy questions, when set.
PRIVACY_CONTACT_EMAIL = env.str("PRIVACY_CONTACT_EMAIL", default="")
PRIVACY_CONSENT_COOKIE_NAME = "halobuzz_consent"
# A visitor's choice is asked for again after this long (six months).
PRIVACY_CONSENT_COOKIE_AGE = 60 * 60 * 24 * 182
PRIVACY_DELETION_COOL_OFF_DAYS = env.int("PRIVACY_DELETION_COOL_OFF_DAYS", default=14)
PRIVACY_EXPORT_LINK_DAYS = env.int("PRIVACY_EXPORT_LINK_DAYS", default=7)
PRIVACY_EXPORT_MIN_INTERVAL_HOURS = env.int("PRIVACY_EXPORT_MIN_INTERVAL_HOURS", default=24)
# Data exports are kept under PRIVATE_MEDIA_ROOT/exports (see Verification layers).
CELERY_BEAT_SCHEDULE["anonymise-deleted-accounts"] = {
    "task": "trust.privacy.tasks.anonymise_due_accounts",
    "schedule": 60 * 60,
}
CELERY_BEAT_SCHEDULE["purge-expired-data-exports"] = {
    "task": "trust.privacy.tasks.purge_expired_exports",
    "schedule": 60 * 60,
}
