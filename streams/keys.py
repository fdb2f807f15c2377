"""Stream key secrets: generation, hashing for lookups, sealing for the owner's reveal.

The database never holds a key in the clear. `key_hash` (SHA-256 of a 256-bit random
secret, so no slow hash is needed) finds the creator when nginx-rtmp calls; the sealed
copy lets the owner reveal and copy the key again in the studio. Sealing uses a key
derived from SECRET_KEY; if SECRET_KEY changes, reveal fails and the owner rotates.
"""

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

KEY_PREFIX = "hb_live_"


def generate_stream_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_stream_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"halobuzz.stream-key.v1:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal_stream_key(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal_stream_key(sealed: str) -> str | None:
    """The key in the clear, or None when it was sealed under another SECRET_KEY."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def media_server_secret() -> str:
    """The shared secret nginx-rtmp sends with each callback."""
    if settings.MEDIA_SERVER_SECRET:
        return settings.MEDIA_SERVER_SECRET
    return hashlib.sha256(b"halobuzz.media-server.v1:" + settings.SECRET_KEY.encode()).hexdigest()
