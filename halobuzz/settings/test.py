"""The test suite. Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL

DEBUG = False
# The dev provider stands in for real ones in tests and the browser journeys; the
# adapters for real providers are tested against recorded HTTP (tests/economy/payments).
PAYMENT_PROVIDERS = {"dev": {}}
PAYMENTS_DEV_PROVIDER_WITHOUT_DEBUG = True
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="halobuzz-test-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
if REDIS_URL:
    # Keep test keys apart from a developer's running site on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "halobuzz-test"
LOGGING = {"version": 1, "disable_existing_loggers": False}
HLS_ROOT = MEDIA_ROOT / "live"
RECORDINGS_ROOT = MEDIA_ROOT / "recordings"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not Django's shared in-memory database: the end-to-end tests serve the
    # app from other threads, and in-memory SQLite answers "table is locked" at once
    # where a file database waits (WAL, busy timeout) as it does under `make run`.
    _database_folder = Path(tempfile.mkdtemp(prefix="halobuzz-test-db-"))
    DATABASES["default"]["TEST"] = {"NAME": str(_database_folder / "test.sqlite3")}
