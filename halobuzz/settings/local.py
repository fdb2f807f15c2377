"""A developer's laptop: `make run`. Debug on, a secret kept under var/, console email."""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env, payment_providers_from_env

DEBUG = env.bool("DEBUG", default=True)
PAYMENT_PROVIDERS = payment_providers_from_env(env.list("PAYMENT_PROVIDERS", default=["dev"]))


def _local_secret_key() -> str:
    """Generate the development key once and keep it out of the repository."""
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=["http://127.0.0.1:8000", "http://localhost:8000"]
)

# Serve static files straight from the source folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
