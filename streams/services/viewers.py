"""Viewer sessions (watch time, unique viewers) and the counts kept on the stream.

The watch page sends a heartbeat every VIEWER_HEARTBEAT_SECONDS; a session is open
while its last heartbeat is younger than VIEWER_TIMEOUT_SECONDS. Visitors without an
account are told apart by a hash of their browser session. Who is watching *now*
comes from the room sockets (`streams.services.presence`).
"""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from streams.models import Stream, ViewerSession
from streams.selectors.room import count_room_viewers


def anonymous_viewer_key(session_key: str) -> str:
    return hashlib.sha256(f"viewer:{session_key}".encode()).hexdigest()


def _watch_increment(session: ViewerSession, now: datetime) -> int:
    if session.left_at is not None:
        return 0
    elapsed = (now - session.last_seen_at).total_seconds()
    # A gap longer than the timeout means the tab slept; count only up to the timeout.
    return int(max(0, min(elapsed, settings.VIEWER_TIMEOUT_SECONDS)))


@transaction.atomic
def record_viewer_heartbeat(
    *, stream: Stream, viewer=None, anonymous_key: str = ""
) -> ViewerSession | None:
    """Note that someone is watching a live stream. Does nothing for a stream that is
    not on air or for the host watching themselves."""
    if stream.status not in Stream.ACTIVE_STATUSES:
        return None
    if viewer is not None and viewer.pk == stream.host_id:
        return None
    identity = {"viewer": viewer} if viewer is not None else {"anonymous_key": anonymous_key}
    if not any(identity.values()):
        return None
    now = timezone.now()
    session = ViewerSession.objects.select_for_update().filter(stream=stream, **identity).first()
    if session is None:
        try:
            with transaction.atomic():
                return ViewerSession.objects.create(
                    stream=stream, joined_at=now, last_seen_at=now, **identity
                )
        except IntegrityError:
            session = ViewerSession.objects.select_for_update().get(stream=stream, **identity)
    if session.left_at is not None and now - session.left_at > timedelta(
        seconds=settings.VIEWER_TIMEOUT_SECONDS
    ):
        session.joined_at = now
    session.watch_seconds += _watch_increment(session, now)
    session.last_seen_at = now
    session.left_at = None
    session.save(update_fields=["joined_at", "watch_seconds", "last_seen_at", "left_at"])
    return session


def leave_stream(*, stream: Stream, viewer=None, anonymous_key: str = "") -> None:
    """The viewer closed the page (sent by the page on `pagehide`)."""
    identity = {"viewer": viewer} if viewer is not None else {"anonymous_key": anonymous_key}
    now = timezone.now()
    with transaction.atomic():
        session = (
            ViewerSession.objects.select_for_update()
            .filter(stream=stream, left_at__isnull=True, **identity)
            .first()
        )
        if session is not None:
            session.watch_seconds += _watch_increment(session, now)
            session.left_at = now
            session.save(update_fields=["watch_seconds", "left_at"])


def close_viewer_sessions(*, stream: Stream, at: datetime) -> None:
    """Let every open session go (the stream ended or the viewers timed out)."""
    for session in ViewerSession.objects.filter(stream=stream, left_at__isnull=True):
        session.watch_seconds += _watch_increment(session, at)
        session.left_at = min(
            at, session.last_seen_at + timedelta(seconds=settings.VIEWER_TIMEOUT_SECONDS)
        )
        session.save(update_fields=["watch_seconds", "left_at"])


def refresh_viewer_counts(*, stream: Stream, now: datetime | None = None) -> Stream:
    """Recount current, peak and unique viewers from the sessions; close timed-out ones."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.VIEWER_TIMEOUT_SECONDS)
    timed_out = ViewerSession.objects.filter(
        stream=stream, left_at__isnull=True, last_seen_at__lt=cutoff
    )
    for session in timed_out:
        session.left_at = session.last_seen_at
        session.save(update_fields=["left_at"])
    sessions = ViewerSession.objects.filter(stream=stream)
    # Watching now = open room sockets (every page holds one); sessions give watch
    # time and unique viewers.
    current = (
        count_room_viewers(stream_id=stream.pk, host_id=stream.host_id) if stream.is_active else 0
    )
    unique = sessions.count()
    Stream.objects.filter(pk=stream.pk).update(
        current_viewers=current,
        unique_viewers=unique,
        peak_viewers=Greatest(F("peak_viewers"), current),
    )
    stream.refresh_from_db(fields=["current_viewers", "peak_viewers", "unique_viewers"])
    return stream


def refresh_all_live_viewer_counts() -> int:
    streams = Stream.objects.filter(status__in=Stream.ACTIVE_STATUSES)
    count = 0
    for stream in streams:
        refresh_viewer_counts(stream=stream)
        count += 1
    return count
