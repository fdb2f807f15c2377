"""Agora RTC tokens (VIDEO_PROVIDER = "agora"): who gets which role on which channel."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streams.agora import RtcRole, build_rtc_token
from streams.exceptions import ProviderDisabled, ProviderNotConfigured, StreamNotLive
from streams.models import Stream

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RtcGrant:
    token: str
    app_id: str
    channel: str
    uid: int
    role: Literal["publisher", "subscriber"]
    expires_at: datetime


def issue_rtc_token(*, stream: Stream, user) -> RtcGrant:
    """An Agora RTC token for `user` on `stream`'s channel (named by its public id).

    The host gets a publisher token until the stream ends (so they can join before
    going live); anyone else a subscriber token while the stream is live or
    reconnecting. The uid is the user's id, so a token cannot be passed to another
    account's client.

    Raises ProviderDisabled (VIDEO_PROVIDER is not "agora"), ProviderNotConfigured
    (AGORA_APP_ID / AGORA_APP_CERTIFICATE missing or malformed) and StreamNotLive.
    """
    if settings.VIDEO_PROVIDER != "agora":
        raise ProviderDisabled(_("This server does not use Agora for live video."))
    app_id, app_certificate = settings.AGORA_APP_ID, settings.AGORA_APP_CERTIFICATE
    if not app_id or not app_certificate:
        logger.error("VIDEO_PROVIDER is agora but AGORA_APP_ID or AGORA_APP_CERTIFICATE is empty")
        raise ProviderNotConfigured(_("Live video is not available right now."))

    is_host = stream.host_id == user.pk
    if stream.status == Stream.Status.ENDED:
        raise StreamNotLive(_("This stream has ended."))
    if not is_host and not stream.is_active:
        raise StreamNotLive(_("This stream is not live yet."))

    role = RtcRole.PUBLISHER if is_host else RtcRole.SUBSCRIBER
    lifetime = settings.AGORA_TOKEN_LIFETIME_SECONDS
    issued_at = int(timezone.now().timestamp())
    try:
        token = build_rtc_token(
            app_id=app_id,
            app_certificate=app_certificate,
            channel_name=stream.public_id,
            uid=user.pk,
            role=role,
            token_expire_seconds=lifetime,
            privilege_expire_seconds=lifetime,
            issued_at=issued_at,
        )
    except ValueError as error:
        logger.error("Cannot build an Agora RTC token: %s", error)
        raise ProviderNotConfigured(_("Live video is not available right now.")) from error
    return RtcGrant(
        token=token,
        app_id=app_id,
        channel=stream.public_id,
        uid=user.pk,
        role="publisher" if is_host else "subscriber",
        expires_at=datetime.fromtimestamp(issued_at + lifetime, tz=UTC),
    )
