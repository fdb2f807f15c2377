"""Agora RTC tokens (AccessToken2, version "007") built and checked in our own code.

Agora's media servers admit a client to a channel only with a token signed by the
project's app certificate. We build the token here rather than pull in Agora's SDK so
the format is ours to read, test and debug; the byte layout follows Agora's reference
builder (AgoraIO/Tools, DynamicKey/AgoraDynamicKey/python3/src/AccessToken2.py and
RtcTokenBuilder2.py), and tests pin it to the sample tokens Agora publishes there.

Token layout, all integers little-endian:

    "007" + base64(zlib(packed_string(signature) + signing_info))

    signing_info = packed_string(app_id) + uint32(issued_at) + uint32(expire_seconds)
                   + uint32(salt) + uint16(service count) + each packed service
    RTC service  = uint16(1) + uint16(privilege count)
                   + (uint16(privilege) + uint32(expire_seconds)) per privilege, by privilege
                   + packed_string(channel_name) + packed_string(uid, or "" for uid 0)
    packed_string(value) = uint16(byte length) + the bytes

    signing_key = HMAC-SHA256(key=uint32(salt), msg=HMAC-SHA256(key=uint32(issued_at),
                                                                msg=app_certificate))
    signature   = HMAC-SHA256(key=signing_key, msg=signing_info)

Expiry values are seconds relative to ``issued_at``, as AccessToken2 defines them.
"""

import base64
import binascii
import enum
import hmac
import re
import secrets
import struct
import time
import zlib
from dataclasses import dataclass
from hashlib import sha256

__all__ = ["DecodedRtcToken", "RtcPrivilege", "RtcRole", "build_rtc_token", "decode_rtc_token"]

VERSION_PREFIX = "007"
RTC_SERVICE_TYPE = 1

# Agora draws the salt from this range; any uint32 would verify, but we keep to theirs.
SALT_MIN = 1
SALT_MAX = 99_999_999

_UINT16_MAX = 0xFFFF
_UINT32_MAX = 0xFFFF_FFFF
# A real RTC token decompresses to a few hundred bytes; the cap stops a hostile
# string pasted into a debugging tool from inflating into gigabytes.
_MAX_DECOMPRESSED_BYTES = 64 * 1024
# Agora issues app ids and certificates as 32 hex digits; its reference builder
# refuses anything else, and a token signed with a malformed one is never accepted.
_AGORA_KEY_PATTERN = re.compile(r"[0-9a-fA-F]{32}")


class RtcRole(enum.IntEnum):
    """Who the token is for; the values are Agora's own role numbers."""

    PUBLISHER = 1  # a host: joins and publishes audio, video and data
    SUBSCRIBER = 2  # a viewer: joins only


class RtcPrivilege(enum.IntEnum):
    """What an RTC token allows; the values are Agora's privilege numbers."""

    JOIN_CHANNEL = 1
    PUBLISH_AUDIO_STREAM = 2
    PUBLISH_VIDEO_STREAM = 3
    PUBLISH_DATA_STREAM = 4


_PRIVILEGES_BY_ROLE: dict[RtcRole, tuple[RtcPrivilege, ...]] = {
    RtcRole.PUBLISHER: (
        RtcPrivilege.JOIN_CHANNEL,
        RtcPrivilege.PUBLISH_AUDIO_STREAM,
        RtcPrivilege.PUBLISH_VIDEO_STREAM,
        RtcPrivilege.PUBLISH_DATA_STREAM,
    ),
    RtcRole.SUBSCRIBER: (RtcPrivilege.JOIN_CHANNEL,),
}


@dataclass(frozen=True)
class DecodedRtcToken:
    """The fields of a verified RTC token; expiry values are seconds after ``issued_at``."""

    app_id: str
    issued_at: int
    expire_seconds: int
    salt: int
    channel_name: str
    uid: int
    privileges: dict[int, int]


def build_rtc_token(
    *,
    app_id: str,
    app_certificate: str,
    channel_name: str,
    uid: int,
    role: RtcRole,
    token_expire_seconds: int,
    privilege_expire_seconds: int,
    issued_at: int | None = None,
    salt: int | None = None,
) -> str:
    """Return an AccessToken2 RTC token letting ``uid`` into ``channel_name`` as ``role``.

    ``uid`` 0 leaves the user unbound, so any uid may join with the token.
    ``token_expire_seconds`` limits the whole token and ``privilege_expire_seconds`` each
    privilege, both counted from ``issued_at`` (now, unless given). ``issued_at`` and
    ``salt`` are parameters only so tests can reproduce a token byte for byte; leave
    them out in production, because a fresh random salt is what makes each token unique.

    Raises ``ValueError`` when the app id or certificate is not 32 hex digits, the role
    is unknown, or a value does not fit its field in the token.
    """
    _require_agora_key(app_id, name="app_id")
    _require_agora_key(app_certificate, name="app_certificate")
    privileges = _PRIVILEGES_BY_ROLE[RtcRole(role)]
    if issued_at is None:
        issued_at = int(time.time())
    if salt is None:
        salt = SALT_MIN + secrets.randbelow(SALT_MAX - SALT_MIN + 1)
    for name, value in (
        ("uid", uid),
        ("token_expire_seconds", token_expire_seconds),
        ("privilege_expire_seconds", privilege_expire_seconds),
        ("issued_at", issued_at),
        ("salt", salt),
    ):
        _require_uint32(value, name=name)

    rtc_service = (
        _pack_uint16(RTC_SERVICE_TYPE)
        + _pack_privileges(dict.fromkeys(privileges, privilege_expire_seconds))
        + _pack_string(channel_name.encode(), name="channel_name")
        + _pack_string(_uid_bytes(uid), name="uid")
    )
    signing_info = (
        _pack_string(app_id.encode(), name="app_id")
        + _pack_uint32(issued_at)
        + _pack_uint32(token_expire_seconds)
        + _pack_uint32(salt)
        + _pack_uint16(1)  # one service: RTC
        + rtc_service
    )
    signature = _sign(signing_info, app_certificate=app_certificate, issued_at=issued_at, salt=salt)
    payload = _pack_string(signature, name="signature") + signing_info
    return VERSION_PREFIX + base64.b64encode(zlib.compress(payload)).decode("ascii")


def decode_rtc_token(token: str, *, app_certificate: str) -> DecodedRtcToken:
    """Parse an RTC token and check it was signed with ``app_certificate``.

    Meant for tests and for operators working out why Agora rejects a token; it does
    not check expiry, since a debugging tool must be able to show an expired token.
    Only tokens carrying the single RTC service, as ``build_rtc_token`` makes them,
    are understood.

    Raises ``ValueError`` when the version prefix is not "007", the data is malformed
    or holds another service, or the signature does not match the certificate.
    """
    if not token.startswith(VERSION_PREFIX):
        raise ValueError(
            f"Not an AccessToken2 token: expected version {VERSION_PREFIX!r}, "
            f"got {token[: len(VERSION_PREFIX)]!r}."
        )
    payload = _decompress(token[len(VERSION_PREFIX) :])

    reader = _ByteReader(payload)
    signature = reader.read_string()
    signing_info = reader.remaining()
    app_id = reader.read_string()
    issued_at = reader.read_uint32()
    expire_seconds = reader.read_uint32()
    salt = reader.read_uint32()

    # Check the signature before reading the services: nothing past this point is
    # worth interpreting if someone other than the certificate holder wrote it.
    expected_signature = _sign(
        signing_info, app_certificate=app_certificate, issued_at=issued_at, salt=salt
    )
    if not hmac.compare_digest(signature, expected_signature):
        raise ValueError(
            "Token signature does not match: wrong app certificate, or the token was altered."
        )

    service_count = reader.read_uint16()
    if service_count != 1:
        raise ValueError(f"Malformed RTC token: expected 1 service, found {service_count}.")
    service_type = reader.read_uint16()
    if service_type != RTC_SERVICE_TYPE:
        raise ValueError(f"Unsupported token: service type {service_type} is not RTC.")
    privileges = {}
    for _ in range(reader.read_uint16()):
        privilege = reader.read_uint16()
        privileges[privilege] = reader.read_uint32()
    channel_name = reader.read_string()
    uid = reader.read_string()
    if reader.remaining():
        raise ValueError("Malformed RTC token: unexpected bytes after the RTC service.")

    return DecodedRtcToken(
        app_id=_decode_text(app_id, name="app id"),
        issued_at=issued_at,
        expire_seconds=expire_seconds,
        salt=salt,
        channel_name=_decode_text(channel_name, name="channel name"),
        uid=_parse_uid(uid),
        privileges=privileges,
    )


def _sign(signing_info: bytes, *, app_certificate: str, issued_at: int, salt: int) -> bytes:
    """HMAC the signing info with a key derived from certificate, issue time and salt.

    Deriving the key per token means a leaked token reveals nothing reusable about
    the certificate.
    """
    key = hmac.new(_pack_uint32(issued_at), app_certificate.encode(), sha256).digest()
    key = hmac.new(_pack_uint32(salt), key, sha256).digest()
    return hmac.new(key, signing_info, sha256).digest()


def _uid_bytes(uid: int) -> bytes:
    """Agora writes uid 0 ("any user") as an empty string, other uids in decimal."""
    return b"" if uid == 0 else str(uid).encode()


def _parse_uid(uid: bytes) -> int:
    if not uid:
        return 0
    if not uid.isdigit():
        raise ValueError(
            f"Unsupported RTC token: user {uid!r} is an account name, not a numeric uid."
        )
    return int(uid)


def _decompress(encoded: str) -> bytes:
    try:
        compressed = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise ValueError(f"Malformed token: not valid base64 ({error}).") from error
    decompressor = zlib.decompressobj()
    try:
        payload = decompressor.decompress(compressed, _MAX_DECOMPRESSED_BYTES)
    except zlib.error as error:
        raise ValueError(f"Malformed token: not valid zlib data ({error}).") from error
    if decompressor.unconsumed_tail:
        raise ValueError("Malformed token: decompresses to more data than any RTC token holds.")
    if not decompressor.eof or decompressor.unused_data:
        raise ValueError("Malformed token: the compressed data is truncated or padded.")
    return payload


def _decode_text(value: bytes, *, name: str) -> str:
    try:
        return value.decode()
    except UnicodeDecodeError as error:
        raise ValueError(f"Malformed token: the {name} is not UTF-8.") from error


def _require_agora_key(value: str, *, name: str) -> None:
    if not _AGORA_KEY_PATTERN.fullmatch(value):
        raise ValueError(f"{name} must be the 32 hex digits Agora issues.")


def _require_uint32(value: int, *, name: str) -> None:
    if not 0 <= value <= _UINT32_MAX:
        raise ValueError(f"{name} must be between 0 and {_UINT32_MAX}, got {value}.")


def _pack_uint16(value: int) -> bytes:
    return struct.pack("<H", value)


def _pack_uint32(value: int) -> bytes:
    return struct.pack("<I", value)


def _pack_string(value: bytes, *, name: str) -> bytes:
    if len(value) > _UINT16_MAX:
        raise ValueError(f"{name} is {len(value)} bytes; a token field holds at most 65535.")
    return _pack_uint16(len(value)) + value


def _pack_privileges(privileges: dict[RtcPrivilege, int]) -> bytes:
    """Pack privilege -> expiry pairs sorted by privilege, the order Agora signs them in."""
    return _pack_uint16(len(privileges)) + b"".join(
        _pack_uint16(privilege) + _pack_uint32(expire_seconds)
        for privilege, expire_seconds in sorted(privileges.items())
    )


class _ByteReader:
    """Reads the token's little-endian fields in order, failing clearly on short data."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def read_uint16(self) -> int:
        return struct.unpack("<H", self._take(2))[0]

    def read_uint32(self) -> int:
        return struct.unpack("<I", self._take(4))[0]

    def read_string(self) -> bytes:
        return self._take(self.read_uint16())

    def remaining(self) -> bytes:
        return self._data[self._offset :]

    def _take(self, size: int) -> bytes:
        end = self._offset + size
        if end > len(self._data):
            raise ValueError("Malformed token: the data ends in the middle of a field.")
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk
