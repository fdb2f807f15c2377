"""Stream keys: one per creator, shown only to its owner, rotatable, disable-able."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from streams.exceptions import PublishRefused
from streams.keys import generate_stream_key, hash_stream_key, seal_stream_key, unseal_stream_key
from streams.models import Stream, StreamKey


def _store(*, key: StreamKey, secret: str) -> None:
    key.key_hash = hash_stream_key(secret)
    key.sealed_key = seal_stream_key(secret)
    key.last_characters = secret[-4:]


@transaction.atomic
def get_or_create_stream_key(*, creator) -> StreamKey:
    # Lock the creator, not the key: two first requests must not both insert one.
    get_user_model().objects.select_for_update().filter(pk=creator.pk).first()
    key = StreamKey.objects.filter(creator=creator).first()
    if key is None:
        key = StreamKey(creator=creator)
        _store(key=key, secret=generate_stream_key())
        key.save()
    return key


def reveal_stream_key(*, key: StreamKey) -> str | None:
    """The key in the clear for its owner's studio, or None if it can no longer be
    unsealed (SECRET_KEY changed) and must be rotated. Callers check ownership."""
    return unseal_stream_key(key.sealed_key)


@transaction.atomic
def rotate_stream_key(*, creator) -> str:
    """Replace the creator's key; the old one stops working at once.

    An RTMP publisher still using the old key is refused at nginx-rtmp's next
    on_update (every RTMP_UPDATE_INTERVAL_SECONDS). Returns the new key.
    """
    key = get_or_create_stream_key(creator=creator)
    secret = generate_stream_key()
    _store(key=key, secret=secret)
    key.rotated_at = timezone.now()
    key.disabled_at = None
    key.disabled_reason = ""
    key.save()
    return secret


@transaction.atomic
def disable_stream_key(*, creator, reason: str = "") -> StreamKey:
    """Stop the key from publishing until the creator rotates it (a moderator action),
    and end the creator's live stream so the publisher is cut off now: a browser
    publisher at its next check-in, an RTMP encoder at nginx-rtmp's next on_update."""
    from streams.services.lifecycle import end_stream

    key = get_or_create_stream_key(creator=creator)
    key.disabled_at = timezone.now()
    key.disabled_reason = reason[:200] or _("Disabled by a moderator")
    key.save(update_fields=["disabled_at", "disabled_reason"])
    active = Stream.objects.filter(host=creator, status__in=Stream.ACTIVE_STATUSES).first()
    if active is not None:
        end_stream(stream=active, reason=Stream.EndReason.MODERATOR)
    return key


def find_publishable_key(*, secret: str) -> StreamKey:
    """The enabled key matching `secret`, with its active creator. Raises PublishRefused."""
    key = (
        StreamKey.objects.select_related("creator").filter(key_hash=hash_stream_key(secret)).first()
    )
    if key is None:
        raise PublishRefused(_("Unknown stream key."), code="unknown_stream_key")
    if key.is_disabled:
        raise PublishRefused(_("This stream key is disabled."), code="stream_key_disabled")
    if not key.creator.is_active:
        raise PublishRefused(_("This account cannot go live."), code="host_inactive")
    return key


def key_still_valid_for(*, stream: Stream) -> bool:
    """Whether the key an RTMP stream was published with is still the host's, enabled key."""
    key = StreamKey.objects.filter(creator_id=stream.host_id).first()
    return bool(
        key
        and not key.is_disabled
        and stream.ingest_key_hash
        and key.key_hash == stream.ingest_key_hash
    )
