"""Agora RTC tokens: byte-exact against Agora's published samples, and verifiable.

The sample inputs and tokens come from Agora's reference test suites (AgoraIO/Tools,
DynamicKey/AgoraDynamicKey/python3/test/AccessToken2Test.py, test_service_rtc and
test_service_rtc_uid_0; the same strings appear in its C++, Go, Node and PHP tests).
Those samples grant the join privilege only, so a publisher token, which also carries
the three publish privileges, is checked against a plain re-implementation of the
reference builder written out below.
"""

import base64
import hashlib
import hmac
import struct
import zlib

import pytest

from streams.agora import (
    DecodedRtcToken,
    RtcRole,
    build_rtc_token,
    decode_rtc_token,
)

AGORA_SAMPLE_APP_ID = "970CA35de60c44645bbae8a215061b33"
AGORA_SAMPLE_APP_CERTIFICATE = "5CFd2fd1755d40ecb72977518be15d3b"
AGORA_SAMPLE_CHANNEL_NAME = "7d72365eb983485397e3e3f9d460bdda"
AGORA_SAMPLE_UID = 2882341273
AGORA_SAMPLE_ISSUED_AT = 1111111
AGORA_SAMPLE_SALT = 1
AGORA_SAMPLE_EXPIRE_SECONDS = 600
AGORA_SAMPLE_TOKEN = (
    "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcw"
    "Mk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj"
)
AGORA_SAMPLE_TOKEN_UID_0 = (
    "007eJxTYLhzZP08Lxa1Pg57+TcXb/3cZ3wi4V6kbpbOog0G2dOYk20UGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcw"
    "Mk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiQwMADacImo="
)

OTHER_APP_CERTIFICATE = "0123456789abcdef0123456789abcdef"


def build_sample_token(**overrides) -> str:
    arguments = {
        "app_id": AGORA_SAMPLE_APP_ID,
        "app_certificate": AGORA_SAMPLE_APP_CERTIFICATE,
        "channel_name": AGORA_SAMPLE_CHANNEL_NAME,
        "uid": AGORA_SAMPLE_UID,
        "role": RtcRole.SUBSCRIBER,
        "token_expire_seconds": AGORA_SAMPLE_EXPIRE_SECONDS,
        "privilege_expire_seconds": AGORA_SAMPLE_EXPIRE_SECONDS,
        "issued_at": AGORA_SAMPLE_ISSUED_AT,
        "salt": AGORA_SAMPLE_SALT,
    }
    return build_rtc_token(**(arguments | overrides))


def reference_rtc_token(
    *, app_id, app_certificate, channel_name, uid, privileges, issue_ts, expire, salt
) -> str:
    """Agora's AccessToken2.build() with one ServiceRtc, transcribed step by step."""

    def pack_uint16(x):
        return struct.pack("<H", int(x))

    def pack_uint32(x):
        return struct.pack("<I", int(x))

    def pack_string(string):
        if isinstance(string, str):
            string = string.encode("utf-8")
        return pack_uint16(len(string)) + string

    def pack_map_uint32(m):
        return pack_uint16(len(m)) + b"".join(pack_uint16(k) + pack_uint32(v) for k, v in m.items())

    service_rtc = (
        pack_uint16(1)
        + pack_map_uint32(dict(sorted(privileges.items())))
        + pack_string(channel_name)
        + pack_string(b"" if uid == 0 else str(uid).encode("utf-8"))
    )
    signing = hmac.new(pack_uint32(issue_ts), app_certificate.encode("utf-8"), hashlib.sha256)
    signing = hmac.new(pack_uint32(salt), signing.digest(), hashlib.sha256).digest()
    signing_info = (
        pack_string(app_id)
        + pack_uint32(issue_ts)
        + pack_uint32(expire)
        + pack_uint32(salt)
        + pack_uint16(1)
        + service_rtc
    )
    signature = hmac.new(signing, signing_info, hashlib.sha256).digest()
    compressed = zlib.compress(pack_string(signature) + signing_info)
    return "007" + base64.b64encode(compressed).decode("utf-8")


def payload_of(token: str) -> bytes:
    return zlib.decompress(base64.b64decode(token[3:]))


def token_from_payload(payload: bytes) -> str:
    return "007" + base64.b64encode(zlib.compress(payload)).decode()


def test_subscriber_token_matches_agoras_published_sample():
    assert build_sample_token() == AGORA_SAMPLE_TOKEN


def test_uid_0_token_matches_agoras_published_sample():
    assert build_sample_token(uid=0) == AGORA_SAMPLE_TOKEN_UID_0


def test_publisher_token_matches_reference_builder():
    token = build_sample_token(
        role=RtcRole.PUBLISHER,
        token_expire_seconds=3600,
        privilege_expire_seconds=1800,
        issued_at=1_700_000_000,
        salt=12_345_678,
    )

    assert token == reference_rtc_token(
        app_id=AGORA_SAMPLE_APP_ID,
        app_certificate=AGORA_SAMPLE_APP_CERTIFICATE,
        channel_name=AGORA_SAMPLE_CHANNEL_NAME,
        uid=AGORA_SAMPLE_UID,
        privileges={4: 1800, 3: 1800, 2: 1800, 1: 1800},
        issue_ts=1_700_000_000,
        expire=3600,
        salt=12_345_678,
    )


def test_agoras_published_sample_decodes_and_verifies():
    decoded = decode_rtc_token(AGORA_SAMPLE_TOKEN, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE)

    assert decoded == DecodedRtcToken(
        app_id=AGORA_SAMPLE_APP_ID,
        issued_at=AGORA_SAMPLE_ISSUED_AT,
        expire_seconds=AGORA_SAMPLE_EXPIRE_SECONDS,
        salt=AGORA_SAMPLE_SALT,
        channel_name=AGORA_SAMPLE_CHANNEL_NAME,
        uid=AGORA_SAMPLE_UID,
        privileges={1: AGORA_SAMPLE_EXPIRE_SECONDS},
    )


def test_token_starts_with_version_007():
    assert build_sample_token(issued_at=None, salt=None).startswith("007")


def test_token_round_trips_through_decoding():
    token = build_sample_token(
        channel_name="stream.42",
        uid=17,
        role=RtcRole.PUBLISHER,
        token_expire_seconds=7200,
        privilege_expire_seconds=3600,
        issued_at=1_700_000_000,
        salt=99_999_999,
    )

    decoded = decode_rtc_token(token, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE)

    assert decoded.app_id == AGORA_SAMPLE_APP_ID
    assert decoded.channel_name == "stream.42"
    assert decoded.uid == 17
    assert decoded.issued_at == 1_700_000_000
    assert decoded.expire_seconds == 7200
    assert decoded.salt == 99_999_999
    assert decoded.privileges == {1: 3600, 2: 3600, 3: 3600, 4: 3600}


def test_publisher_may_join_and_publish_audio_video_and_data():
    token = build_sample_token(role=RtcRole.PUBLISHER, privilege_expire_seconds=900)

    decoded = decode_rtc_token(token, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE)

    assert decoded.privileges == {1: 900, 2: 900, 3: 900, 4: 900}


def test_subscriber_may_only_join():
    token = build_sample_token(role=RtcRole.SUBSCRIBER, privilege_expire_seconds=900)

    decoded = decode_rtc_token(token, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE)

    assert decoded.privileges == {1: 900}


def test_uid_0_packs_as_empty_uid():
    token = build_sample_token(uid=0)

    assert payload_of(token).endswith(
        b"\x20\x00" + AGORA_SAMPLE_CHANNEL_NAME.encode() + b"\x00\x00"
    )
    assert decode_rtc_token(token, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE).uid == 0


def test_uid_packs_as_decimal_string():
    token = build_sample_token(uid=42)

    assert payload_of(token).endswith(b"\x02\x0042")


def test_each_token_gets_a_fresh_salt_in_agoras_range():
    salts = {
        decode_rtc_token(
            build_sample_token(salt=None), app_certificate=AGORA_SAMPLE_APP_CERTIFICATE
        ).salt
        for _ in range(20)
    }

    assert len(salts) > 1
    assert all(1 <= salt <= 99_999_999 for salt in salts)


def test_token_signed_with_another_certificate_fails_to_decode():
    token = build_sample_token(app_certificate=OTHER_APP_CERTIFICATE)

    with pytest.raises(ValueError, match="signature"):
        decode_rtc_token(token, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE)


def test_token_with_changed_channel_fails_to_decode():
    payload = payload_of(build_sample_token(channel_name="stream.1"))
    tampered = token_from_payload(payload.replace(b"stream.1", b"stream.2"))

    with pytest.raises(ValueError, match="signature"):
        decode_rtc_token(tampered, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE)


def test_token_with_extended_expiry_fails_to_decode():
    token = build_sample_token(token_expire_seconds=600)
    payload = bytearray(payload_of(token))
    expire_offset = 2 + 32 + 2 + 32 + 4  # signature, app id, issued_at
    payload[expire_offset : expire_offset + 4] = struct.pack("<I", 86_400)

    with pytest.raises(ValueError, match="signature"):
        decode_rtc_token(
            token_from_payload(bytes(payload)), app_certificate=AGORA_SAMPLE_APP_CERTIFICATE
        )


def test_token_with_wrong_version_fails_to_decode():
    token = "006" + build_sample_token()[3:]

    with pytest.raises(ValueError, match="version"):
        decode_rtc_token(token, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE)


@pytest.mark.parametrize(
    "token",
    [
        "007",
        "007not base64!",
        "007" + base64.b64encode(b"not zlib").decode(),
        AGORA_SAMPLE_TOKEN[:-12],
        token_from_payload(payload_of(AGORA_SAMPLE_TOKEN)[:40]),
    ],
    ids=["empty", "not-base64", "not-zlib", "truncated-base64", "truncated-payload"],
)
def test_malformed_token_fails_to_decode(token):
    with pytest.raises(ValueError, match="Malformed"):
        decode_rtc_token(token, app_certificate=AGORA_SAMPLE_APP_CERTIFICATE)


@pytest.mark.parametrize(
    "overrides",
    [
        {"app_id": "not-an-app-id"},
        {"app_certificate": ""},
        {"uid": -1},
        {"uid": 2**32},
        {"token_expire_seconds": -1},
        {"role": 3},
    ],
    ids=["app-id", "certificate", "negative-uid", "uid-too-large", "negative-expiry", "role"],
)
def test_invalid_input_is_refused(overrides):
    with pytest.raises(ValueError):
        build_sample_token(**overrides)
