"""Writes for trust and safety: blocked terms, site-wide bans and the moderation log.

Moderation actions (bans, removals) happen here in one transaction each, together with
the `ModerationAction` row that records them, so an action never half-happens and
never goes unrecorded. `record_moderation_action` is the only writer of that log; chat
moderation in `streams.services` calls it too.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from streams.models import Stream
from trust import selectors
from trust.exceptions import (
    AlreadyBannedSitewide,
    BlockedTermExists,
    BlockedTermNotFound,
    InvalidBlockedTerm,
    InvalidSiteBan,
    NotAllowed,
)
from trust.models import TERM_MAX_LENGTH, BlockedTerm, ModerationAction, SiteBan
from trust.text import normalize

# A blocked term must keep this much after normalization: one letter would block
# every word that is that letter.
TERM_MIN_NORMALIZED_LENGTH = 2
NORMALIZED_MAX_LENGTH = BlockedTerm._meta.get_field("normalized").max_length
# Keeps chat matching fast (see trust.text.TermIndex) and lists reviewable.
MAX_TERMS_PER_CHANNEL = 1000
REASON_MAX_LENGTH = ModerationAction._meta.get_field("reason").max_length
SITE_BAN_REASON_MAX_LENGTH = SiteBan._meta.get_field("reason").max_length


def _may(actor, permission: str) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.has_perm(f"trust.{permission}")
    )


def _require_term_manager(*, actor, channel, permission: str) -> None:
    """Global terms are for staff with `permission`; a channel's also for its owner."""
    if channel is not None and actor is not None and actor.pk == channel.pk and actor.is_active:
        return
    if not _may(actor, permission):
        raise NotAllowed(
            _("Only staff can change the site-wide blocked terms.")
            if channel is None
            else _("Only the channel's owner can change its blocked terms.")
        )


def _invalidate_blocked_terms(*, channel_id: int | None) -> None:
    # After commit: sooner, a reader could cache the list as it is before the commit
    # (or with a term whose transaction then rolls back) under the new version.
    transaction.on_commit(lambda: selectors.invalidate_blocked_terms(channel_id=channel_id))


# --- Blocked terms ---------------------------------------------------------------------


def check_new_blocked_term(*, term: str, channel=None) -> str:
    """The normalized form of `term` if it can be blocked (globally or in `channel`).

    Raises `InvalidBlockedTerm` (code ``invalid_term`` for empty, too short or too
    long terms, ``too_many_terms`` for a full channel list) or `BlockedTermExists`
    (``term_exists``). Forms call this to show the error on the field;
    `add_blocked_term` calls it again before writing.
    """
    term = (term or "").strip()
    if not term:
        raise InvalidBlockedTerm(_("Enter a word or phrase to block."))
    if len(term) > TERM_MAX_LENGTH:
        raise InvalidBlockedTerm(
            _("A blocked term can be at most %(limit)d characters long.")
            % {"limit": TERM_MAX_LENGTH},
            extra={"limit": TERM_MAX_LENGTH},
        )
    normalized = normalize(term)
    if len(normalized) < TERM_MIN_NORMALIZED_LENGTH:
        raise InvalidBlockedTerm(
            _("A blocked term needs at least two letters or digits."),
            extra={"normalized": normalized},
        )
    if len(normalized) > NORMALIZED_MAX_LENGTH:
        raise InvalidBlockedTerm(
            _("That term is too long once spelled out. Block a shorter part of it."),
            extra={"limit": NORMALIZED_MAX_LENGTH},
        )
    same_scope = (
        BlockedTerm.objects.filter(channel__isnull=True)
        if channel is None
        else BlockedTerm.objects.filter(channel=channel)
    )
    if same_scope.filter(normalized=normalized).exists():
        raise BlockedTermExists(term)
    if channel is not None and same_scope.count() >= MAX_TERMS_PER_CHANNEL:
        raise InvalidBlockedTerm(
            _("A channel can block at most %(limit)d terms. Remove some first.")
            % {"limit": MAX_TERMS_PER_CHANNEL},
            code="too_many_terms",
            extra={"limit": MAX_TERMS_PER_CHANNEL},
        )
    return normalized


@transaction.atomic
def add_blocked_term(*, term: str, channel=None, actor) -> BlockedTerm:
    """Block `term` in `channel`'s chat, or everywhere when `channel` is None.

    `actor` must be the channel's owner, or staff with ``trust.add_blockedterm``
    (always for global terms), else `NotAllowed`. Raises what `check_new_blocked_term`
    raises. The stored `normalized` form is what chat matches on.
    """
    _require_term_manager(actor=actor, channel=channel, permission="add_blockedterm")
    term = (term or "").strip()
    normalized = check_new_blocked_term(term=term, channel=channel)
    try:
        with transaction.atomic():
            blocked_term = BlockedTerm.objects.create(
                term=term, normalized=normalized, channel=channel, created_by=actor
            )
    except IntegrityError:
        # Someone added the same term between the check and the insert.
        raise BlockedTermExists(term) from None
    _invalidate_blocked_terms(channel_id=channel.pk if channel is not None else None)
    return blocked_term


@transaction.atomic
def remove_blocked_term(*, blocked_term_id: int, channel=None, actor) -> None:
    """Unblock a term of `channel` (None: a site-wide term).

    The term must belong to that scope, so a channel owner can only remove their own
    channel's terms: anything else is `BlockedTermNotFound`. `actor` must be the
    channel's owner or staff with ``trust.delete_blockedterm``, else `NotAllowed`.
    """
    _require_term_manager(actor=actor, channel=channel, permission="delete_blockedterm")
    scope = Q(channel__isnull=True) if channel is None else Q(channel=channel)
    deleted, _by_model = BlockedTerm.objects.filter(scope, pk=blocked_term_id).delete()
    if not deleted:
        raise BlockedTermNotFound()
    _invalidate_blocked_terms(channel_id=channel.pk if channel is not None else None)


# --- Site-wide bans ----------------------------------------------------------------------


def check_site_ban(*, actor, user, reason: str, expires_at: datetime | None = None) -> str:
    """The cleaned reason if `actor` may ban `user` site-wide as asked.

    Raises `NotAllowed` (without ``trust.add_siteban``), `InvalidSiteBan` (codes
    ``reason_required``, ``reason_too_long``, ``expiry_in_past``, ``cannot_ban_self``,
    ``cannot_ban_staff``) or `AlreadyBannedSitewide`. Forms call this to show errors
    on their fields; `ban_user_sitewide` calls it again under a lock.
    """
    if not _may(actor, "add_siteban"):
        raise NotAllowed(_("Only staff can ban members site-wide."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidSiteBan(_("Give a reason for the ban."), code="reason_required")
    if len(reason) > SITE_BAN_REASON_MAX_LENGTH:
        raise InvalidSiteBan(
            _("The reason can be at most %(limit)d characters long.")
            % {"limit": SITE_BAN_REASON_MAX_LENGTH},
            code="reason_too_long",
            extra={"limit": SITE_BAN_REASON_MAX_LENGTH},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidSiteBan(_("The ban must end in the future."), code="expiry_in_past")
    if user.pk == actor.pk:
        raise InvalidSiteBan(_("You cannot ban yourself."), code="cannot_ban_self")
    if user.is_staff or user.is_superuser:
        raise InvalidSiteBan(
            _("Staff accounts cannot be banned. Remove their staff status first."),
            code="cannot_ban_staff",
        )
    active_ban = selectors.get_active_site_ban(user=user)
    if active_ban is not None:
        raise AlreadyBannedSitewide(username=user.get_username(), expires_at=active_ban.expires_at)
    return reason


def _lock_member(user) -> None:
    """Serialize ban changes for one member (the member's row; no-op on SQLite)."""
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()


@transaction.atomic
def ban_user_sitewide(
    *,
    actor,
    user,
    reason: str,
    expires_at: datetime | None = None,
    case=None,
    kind: str = ModerationAction.Kind.SITE_BAN,
) -> SiteBan:
    """Ban `user` from taking part anywhere on the site until `expires_at` (None: until
    lifted), and log it as a ``site_ban`` moderation action. Features enforce it by
    asking `trust.selectors.is_banned_sitewide` / `get_active_site_ban`. A ban decided
    on a moderation `case` is logged against it, as `kind` (``suspend`` for a timed one);
    the log entry is returned as the ban's ``action`` attribute.

    Raises what `check_site_ban` raises; a member who already has an active ban gets
    `AlreadyBannedSitewide` (lift it first to change its terms).
    """
    _lock_member(user)
    reason = check_site_ban(actor=actor, user=user, reason=reason, expires_at=expires_at)
    site_ban = SiteBan.objects.create(
        user=user, reason=reason, expires_at=expires_at, created_by=actor
    )
    site_ban.action = record_moderation_action(
        kind=kind,
        actor=actor,
        target_user=user,
        case=case,
        reason=reason,
        details={"site_ban_id": site_ban.pk, "expires_at": expires_at},
    )
    return site_ban


@transaction.atomic
def lift_site_ban(*, actor, user) -> int:
    """Lift every active site-wide ban of `user`; returns how many were lifted.

    Logs one ``site_unban`` moderation action when something was lifted (none when
    the member was not banned). Needs ``trust.change_siteban``, else `NotAllowed`.
    """
    if not _may(actor, "change_siteban"):
        raise NotAllowed(_("Only staff can lift site-wide bans."))
    _lock_member(user)
    ban_ids = list(
        selectors.active_site_bans(user=user).order_by("pk").values_list("pk", flat=True)
    )
    if not ban_ids:
        return 0
    SiteBan.objects.filter(pk__in=ban_ids).update(lifted_at=timezone.now(), lifted_by=actor)
    record_moderation_action(
        kind=ModerationAction.Kind.SITE_UNBAN,
        actor=actor,
        target_user=user,
        details={"site_ban_ids": ban_ids},
    )
    return len(ban_ids)


# --- The moderation log -------------------------------------------------------------------


@transaction.atomic
def record_moderation_action(
    *,
    kind: str,
    actor=None,
    target_user=None,
    channel=None,
    stream=None,
    chat_message=None,
    case=None,
    reason: str = "",
    details: dict | None = None,
) -> ModerationAction:
    """Append one entry to the moderation log; the only code that writes it.

    Call it inside the transaction of the action it records. `actor` is None for
    AutoMod. When only `chat_message` is given its stream is filled in, and when a
    stream is known its host is the channel. `reason` is cut to fit (200 characters);
    `details` may hold datetimes, decimals and UUIDs (stored as JSON strings).
    Raises ValueError for an unknown `kind` (a programming error, not user input).
    """
    if kind not in ModerationAction.Kind.values:
        raise ValueError(f"Unknown moderation action kind: {kind!r}")
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        reason = reason[: REASON_MAX_LENGTH - 1] + "…"
    stream_id = stream.pk if stream is not None else None
    if stream_id is None and chat_message is not None:
        stream_id = chat_message.stream_id
    channel_id = channel.pk if channel is not None else None
    if channel_id is None and stream is not None:
        channel_id = stream.host_id
    elif channel_id is None and stream_id is not None:
        channel_id = Stream.objects.filter(pk=stream_id).values_list("host_id", flat=True).first()
    return ModerationAction.objects.create(
        kind=kind,
        actor=actor,
        target_user=target_user,
        channel_id=channel_id,
        stream_id=stream_id,
        chat_message=chat_message,
        case=case,
        reason=reason,
        details=json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder)),
    )
