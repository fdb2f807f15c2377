"""The steps that turn an account into a tombstone (trust.privacy.services.deletion runs
them in order). Each step can run again after a crash halfway: it only deletes what
is still there.

What stays, pointing at the tombstone: ledger accounts and rows, payments, gifts,
subscriptions and OG memberships, payout requests (and the payout account they were
paid to), moderation records and bans, reports, consent records, streams (titles)
and chat messages, which now show the tombstone's name. The last few thumbnail
frames of each stream stay too: they are moderation evidence. Verification rows
stay as what was verified and when, without the verified value (the phone number
is free for another account) or evidence; security log events stay as what
happened and when, without address, browser or details.
"""

import logging
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone
from rest_framework.authtoken.models import Token

from economy.models import CreatorSubscription, PayoutMethod
from economy.services.subscription_renewals import stop_monthly_renewal
from halobuzz.notifications.models import Notification
from halobuzz.users.models import Follow, User
from streams.models import (
    ChannelModerator,
    Emote,
    Recording,
    Stream,
    StreamKey,
    StreamReminder,
    ViewerSession,
)
from streams.services.emotes import delete_emote
from streams.services.lifecycle import end_stream
from streams.services.media import delete_vod
from trust.privacy.models import DataExport
from trust.privacy.services.exports import delete_member_exports

logger = logging.getLogger(__name__)

# Stored, so it reads the same in every language the site is shown in.
TOMBSTONE_DISPLAY_NAME = "Deleted user"
DATABASE_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def tombstone_username(user: User) -> str:
    # A hyphen, which sign-up refuses, so nobody can register a tombstone's name.
    return f"deleted-{user.pk}"


def stop_subscription_renewals(*, user: User) -> None:
    """Ask payment providers to stop the monthly charges of the member's
    subscriptions, and of fans' subscriptions to the member as a creator: nobody
    pays again for a deleted account. Months already paid run out.

    Raises RenewalError when a provider cannot be reached: the deletion then waits
    for the next run rather than leave a charge running for a deleted account.
    """
    renewing = (
        CreatorSubscription.objects.filter(Q(subscriber=user) | Q(creator=user))
        .exclude(renewal_reference="")
        .select_related("subscriber", "creator")
        .order_by("pk")
    )
    for subscription in renewing:
        stop_monthly_renewal(subscriber=subscription.subscriber, creator=subscription.creator)


def end_active_streams(*, user: User) -> None:
    """End a live stream and cancel scheduled ones (end_stream is idempotent)."""
    unfinished = Stream.objects.filter(host=user).exclude(status=Stream.Status.ENDED)
    for stream in unfinished:
        end_stream(stream=stream, reason=Stream.EndReason.HOST)


def delete_media(*, user: User) -> None:
    """Files the member uploaded or that show them: avatar, recordings, stream
    thumbnails, channel emotes, identity documents and data exports (their whole
    folder, also files no export row names)."""
    if user.avatar:
        user.avatar.storage.delete(user.avatar.name)
        User.objects.filter(pk=user.pk).update(avatar="")
        user.avatar = ""
    for recording in Recording.objects.filter(stream__host=user).select_related("stream"):
        delete_vod(stream=recording.stream, actor=user)
    for stream in Stream.objects.filter(host=user).exclude(thumbnail=""):
        stream.thumbnail.delete(save=False)
        Stream.objects.filter(pk=stream.pk).update(thumbnail="")
    for emote in Emote.objects.filter(channel=user):
        if emote.image:
            emote.image.delete(save=False)
        delete_emote(emote=emote)
    delete_identity_documents(user=user)
    delete_member_exports(user=user)


def delete_identity_documents(*, user: User) -> int:
    """Identity document images, when trust.verification is installed. The
    verification rows stay (what was verified and when). Returns how many sets."""
    if not apps.is_installed("trust.verification"):
        return 0
    try:
        from trust.verification.models import IdentityDocuments
    except ImportError:
        return 0
    deleted = 0
    remaining = IdentityDocuments.objects.filter(verification__user=user, deleted_at__isnull=True)
    for documents in remaining:
        for field_name in IdentityDocuments.IMAGE_FIELDS:
            image = getattr(documents, field_name)
            if image:
                image.delete(save=False)
        IdentityDocuments.objects.filter(pk=documents.pk).update(
            deleted_at=timezone.now(), **dict.fromkeys(IdentityDocuments.IMAGE_FIELDS, "")
        )
        deleted += 1
    return deleted


def erase_verification_details(*, user: User) -> int:
    """Verification rows keep what was verified and when, not the value or evidence:
    the phone number or email address (`subject`) and facts like the phone's region
    or the document type are blanked, pending and verified rows expire (so the
    number is free for a new account), and phone codes are deleted. Returns how many
    rows were blanked; 0 when trust.verification is not installed."""
    if not apps.is_installed("trust.verification"):
        return 0
    try:
        from trust.verification.models import PhoneCode, Verification
    except ImportError:
        return 0
    now = timezone.now()
    PhoneCode.objects.filter(verification__user=user).delete()
    rows = Verification.objects.filter(user=user)
    # Pending rows were never decided; verified ones keep the date they were.
    rows.filter(status=Verification.Status.PENDING).update(
        status=Verification.Status.EXPIRED, decided_at=now, expires_at=now
    )
    rows.filter(status=Verification.Status.VERIFIED).update(
        status=Verification.Status.EXPIRED, expires_at=now
    )
    return rows.update(subject="", evidence={})


def erase_security_log_details(*, user: User) -> int:
    """The member's security log keeps its events (what happened and when: the
    account's security history) without the addresses, browsers and details (email
    addresses, phone numbers) that identify them. Events are append-only for
    everyone else, so this is an update of the queryset, not of each event.
    Returns how many events were scrubbed; 0 when trust.audit is not installed."""
    if not apps.is_installed("trust.audit"):
        return 0
    try:
        from trust.audit.models import AuditEvent
    except ImportError:
        return 0
    return AuditEvent.objects.filter(user=user).update(ip_address=None, user_agent="", details={})


def delete_sessions(*, user: User) -> int:
    """Sign the member out everywhere. Returns how many sessions were deleted.

    The tombstone's unusable password already invalidates every session (Django
    checks the password hash on each request); this removes the session data too,
    where the sessions live in the database.
    """
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return 0
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    member = str(user.pk)
    deleted = 0
    live_sessions = Session.objects.filter(expire_date__gt=timezone.now())
    for session in live_sessions.iterator(chunk_size=2000):
        if session.get_decoded().get("_auth_user_id") == member:
            store_class(session_key=session.session_key).delete()
            deleted += 1
    return deleted


def delete_credentials(*, user: User) -> None:
    """Email addresses, two-factor authenticators, API tokens, social logins and the
    stream key: nothing can sign in or publish as the tombstone."""
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    StreamKey.objects.filter(creator=user).delete()
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        SocialAccount.objects.filter(user=user).delete()


def delete_personal_records(*, user: User) -> None:
    """Relationships and activity with no accounting or safety value."""
    Follow.objects.filter(Q(follower=user) | Q(followee=user)).delete()
    StreamReminder.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    ViewerSession.objects.filter(viewer=user).delete()
    ChannelModerator.objects.filter(Q(moderator=user) | Q(channel=user)).delete()
    # Payout accounts never paid to; the ones payouts went to are accounting records.
    PayoutMethod.objects.filter(creator=user, requests__isnull=True).delete()
    DataExport.objects.filter(user=user).delete()


def scrub_user_row(*, user: User) -> User:
    """Keep the row (ledger, payments and moderation records point at it) with
    nothing left that identifies the member or lets anyone sign in."""
    user.username = tombstone_username(user)
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.display_name = TOMBSTONE_DISPLAY_NAME
    user.bio = ""
    user.avatar = ""
    user.country = ""
    user.is_creator = False
    user.is_kyc_verified = False
    user.is_staff = False
    user.is_superuser = False
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return user
