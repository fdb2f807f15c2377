"""The live room: chat, its moderation, emotes, presence, polls and the requests queue.

A *channel* is a host's account: moderators, bans and chat settings belong to the
channel and carry over from one stream to the next. Messages, events, polls and
requests belong to one stream's room.
"""

from django.conf import settings
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from streams.models.video import Stream

CHAT_MESSAGE_MAX_LENGTH = 500
POLL_QUESTION_MAX_LENGTH = 140
POLL_OPTION_MAX_LENGTH = 80
REQUEST_MAX_LENGTH = 200
BAN_REASON_MAX_LENGTH = 200

emote_code_validator = RegexValidator(
    r"^[a-z0-9_]{2,24}$",
    _("2 to 24 lowercase letters, digits or underscores, written without the colons."),
)


class ChatSettings(models.Model):
    """A channel's chat rules. Missing row = the defaults below."""

    class AutoModAction(models.TextChoices):
        HOLD = "hold", _("Hold for a moderator to review")
        REJECT = "reject", _("Reject and tell the sender")

    channel = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="chat_settings",
    )
    slow_mode_seconds = models.PositiveIntegerField(
        _("slow mode (seconds between messages)"),
        default=0,
        validators=[MaxValueValidator(600)],
        help_text=_("0 turns slow mode off."),
    )
    followers_only_minutes = models.PositiveIntegerField(
        _("followers-only (minutes followed)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(60 * 24 * 90)],
        help_text=_("Empty turns followers-only mode off; 0 lets any follower chat."),
    )
    emote_only = models.BooleanField(_("emote-only"), default=False)
    subscribers_only = models.BooleanField(
        _("subscribers-only"),
        default=False,
        help_text=_("Only the channel's subscribers can chat."),
    )
    automod_threshold = models.FloatField(
        _("AutoMod threshold"),
        default=0.8,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
        help_text=_("Messages scoring at or above this (0.05-1) are held or rejected."),
    )
    automod_action = models.CharField(
        _("AutoMod action"), max_length=8, choices=AutoModAction.choices, default="hold"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chat settings")
        verbose_name_plural = _("chat settings")

    def __str__(self) -> str:
        return str(self.channel)


class ChannelModerator(models.Model):
    channel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_moderators"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderates_channels"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel moderator")
        verbose_name_plural = _("channel moderators")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "moderator"], name="unique_channel_moderator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.moderator} @ {self.channel}"


class RegionalModerator(models.Model):
    """A moderator for every channel whose host is in a region (appointed by staff)."""

    class Region(models.TextChoices):
        BRAZIL = "brazil", _("Brazil")
        PORTUGAL = "portugal", _("Portugal")
        AFRICA = "africa", _("Portuguese-speaking Africa")
        DIASPORA = "diaspora", _("Diaspora")
        NEPAL = "nepal", _("Nepal")
        INDIA = "india", _("India")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regional_moderator_roles"
    )
    region = models.CharField(_("region"), max_length=12, choices=Region.choices)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("regional moderator")
        verbose_name_plural = _("regional moderators")
        constraints = [
            models.UniqueConstraint(
                fields=["moderator", "region"], name="unique_regional_moderator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.moderator} ({self.get_region_display()})"


class ChannelBan(models.Model):
    """A ban from a channel's chat; with `expires_at` it is a timeout."""

    channel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_bans_issued"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_bans"
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=BAN_REASON_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("channel ban")
        verbose_name_plural = _("channel bans")
        indexes = [models.Index(fields=["channel", "user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.channel}"

    @property
    def is_timeout(self) -> bool:
        return self.expires_at is not None


class Emote(models.Model):
    """`:code:` in chat shows this image. Global emotes have no channel."""

    code = models.CharField(_("code"), max_length=24, validators=[emote_code_validator])
    name = models.CharField(_("name"), max_length=60)
    channel = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emotes",
        help_text=_("Leave empty for an emote every channel can use."),
    )
    # Uploaded emotes are raster images only: an uploaded SVG could carry script.
    image = models.ImageField(
        _("image"),
        upload_to="emotes/",
        blank=True,
        validators=[FileExtensionValidator(["png", "gif", "webp"])],
    )
    # The seeded set ships in static files (reviewed SVGs).
    builtin_image = models.CharField(max_length=120, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("emote")
        verbose_name_plural = _("emotes")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(channel__isnull=True), name="unique_global_emote"
            ),
            models.UniqueConstraint(fields=["channel", "code"], name="unique_channel_emote"),
            models.CheckConstraint(
                condition=~Q(image="") | ~Q(builtin_image=""), name="emote_has_image"
            ),
        ]

    def __str__(self) -> str:
        return f":{self.code}:"

    @property
    def url(self) -> str:
        return self.image.url if self.image else static(self.builtin_image)


class RoomState(models.Model):
    """The room's event counter: every replayable event takes the next `last_seq`."""

    stream = models.OneToOneField(
        Stream, on_delete=models.CASCADE, primary_key=True, related_name="room_state"
    )
    last_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("room state")
        verbose_name_plural = _("room states")

    def __str__(self) -> str:
        return f"{self.stream_id}: {self.last_seq}"


class RoomEvent(models.Model):
    """A replayable server->client frame, kept so a client can resume after `seq`."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="room_events")
    seq = models.PositiveBigIntegerField()
    frame = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="unique_room_event_seq")
        ]

    def __str__(self) -> str:
        return f"{self.stream_id}#{self.seq}"


class ChatMessage(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HELD = "held", _("Held by AutoMod")
        DENIED = "denied", _("Denied by a moderator")
        REJECTED = "rejected", _("Rejected by AutoMod")
        DELETED = "deleted", _("Deleted")

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="chat_messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="chat_messages",
    )
    body = models.TextField(max_length=CHAT_MESSAGE_MAX_LENGTH)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VISIBLE)
    # The room sequence number of the event that showed it (visible messages only).
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    badges = models.JSONField(default=list, blank=True)
    automod_score = models.FloatField(null=True, blank=True)
    automod_reason = models.CharField(max_length=60, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "seq"], condition=Q(seq__isnull=False), name="unique_chat_seq"
            )
        ]
        indexes = [
            models.Index(fields=["stream", "status", "-seq"], name="chat_room_history"),
            models.Index(fields=["author", "-created_at"], name="chat_author_recent"),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class RoomPresence(models.Model):
    """One open room socket. Viewer counts are derived from these rows."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="presences")
    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    connected_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["stream", "last_seen_at"])]

    def __str__(self) -> str:
        return self.channel_name


class Poll(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=POLL_QUESTION_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    duration_seconds = models.PositiveIntegerField(
        validators=[MinValueValidator(30), MaxValueValidator(600)]
    )
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    total_votes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        constraints = [
            models.UniqueConstraint(
                fields=["stream"], condition=Q(status="open"), name="one_open_poll_per_stream"
            )
        ]

    def __str__(self) -> str:
        return self.question


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=POLL_OPTION_MAX_LENGTH)
    votes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="unique_poll_option_position")
        ]

    def __str__(self) -> str:
        return self.text


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="poll_votes")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="option_votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "voter"], name="one_vote_per_poll")]

    def __str__(self) -> str:
        return f"{self.voter_id} -> {self.option_id}"


class RoomRequest(models.Model):
    """A viewer's request (a song, a question) in the host's queue."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        DONE = "done", _("Done")
        DISMISSED = "dismissed", _("Dismissed")

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="room_requests")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.CharField(_("request"), max_length=REQUEST_MAX_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    upvotes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        indexes = [models.Index(fields=["stream", "status", "-upvotes", "created_at"])]

    def __str__(self) -> str:
        return self.text


class RoomRequestUpvote(models.Model):
    request = models.ForeignKey(RoomRequest, on_delete=models.CASCADE, related_name="upvote_rows")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "voter"], name="one_upvote_per_request")
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} +1 {self.request_id}"
