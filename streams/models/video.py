"""Live video: categories, streams, stream keys, viewer sessions, reminders, thumbnails, VODs.

Rules the database can hold are constraints here (one live stream per host, one
session row per viewer per stream); everything else lives in `streams.services`.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from halobuzz.core.translated import localized_value

TITLE_MAX_LENGTH = 140

# The languages a stream can be spoken in: the site's four plus the ones HaloBuzz's
# diaspora audiences stream in most. A stream's language is a filter, not a UI setting.
STREAM_LANGUAGES = [
    ("en", "English"),
    ("ne", "नेपाली"),
    ("hi", "हिन्दी"),
    ("pt", "Português"),
    ("es", "Español"),
    ("bn", "বাংলা"),
    ("ur", "اردو"),
    ("ta", "தமிழ்"),
    ("fr", "Français"),
    ("ar", "العربية"),
]


def new_public_id() -> str:
    """An opaque, URL-safe name for a stream's media (HLS folder, recordings).

    It is unguessable so that a stream's media cannot be enumerated, and it is
    unrelated to the stream key, which must never reach a viewer.
    """
    return secrets.token_hex(10)


class StreamCategory(models.Model):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name (English)"), max_length=80)
    name_ne = models.CharField(_("name (Nepali)"), max_length=80, blank=True)
    name_hi = models.CharField(_("name (Hindi)"), max_length=80, blank=True)
    name_pt_br = models.CharField(_("name (Portuguese)"), max_length=80, blank=True)
    icon = models.CharField(_("icon"), max_length=8, help_text=_("An emoji shown beside the name."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    region_focus = CountryField(_("region focus"), multiple=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("stream category")
        verbose_name_plural = _("stream categories")

    def __str__(self) -> str:
        return self.localized_name()

    def localized_name(self, language_code: str | None = None) -> str:
        """The name in the given (or active) language, falling back to English."""
        return localized_value(self, "name", language_code)


class StreamKey(models.Model):
    """A creator's secret for publishing from OBS. Stored as a hash for lookups and,
    for its owner's "reveal", sealed with a server-side key (see streams.keys)."""

    creator = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stream_key"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    sealed_key = models.TextField()
    last_characters = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("stream key")
        verbose_name_plural = _("stream keys")

    def __str__(self) -> str:
        return f"{self.creator} ••••{self.last_characters}"

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None


class Stream(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        LIVE = "live", _("Live")
        INTERRUPTED = "interrupted", _("Reconnecting")
        ENDED = "ended", _("Ended")

    class Ingest(models.TextChoices):
        BROWSER = "browser", _("Browser camera")
        RTMP = "rtmp", _("OBS / RTMP")

    class EndReason(models.TextChoices):
        HOST = "host", _("Ended by the host")
        INGEST_LOST = "ingest_lost", _("The video feed was lost")
        MODERATOR = "moderator", _("Ended by a moderator")
        KEY_REVOKED = "key_revoked", _("The stream key was rotated or disabled")
        NEVER_STARTED = "never_started", _("Never went live")
        AUTOMATIC_CHECKS = "automatic_checks", _("Stopped by automatic safety checks")

    ACTIVE_STATUSES = (Status.LIVE, Status.INTERRUPTED)

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="streams"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    category = models.ForeignKey(
        StreamCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="streams",
        verbose_name=_("category"),
    )
    language = models.CharField(_("language"), max_length=8, choices=STREAM_LANGUAGES, default="en")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    ingest = models.CharField(max_length=8, choices=Ingest.choices, default=Ingest.BROWSER)
    record = models.BooleanField(_("record a VOD"), default=False)

    scheduled_start = models.DateTimeField(_("scheduled start"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    interrupted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    current_viewers = models.PositiveIntegerField(default=0)
    peak_viewers = models.PositiveIntegerField(default=0)
    unique_viewers = models.PositiveIntegerField(default=0)

    thumbnail = models.ImageField(upload_to="thumbnails/", blank=True)

    # Which publisher holds the stream: the hash of the RTMP key it published with
    # (so a rotated key is refused on the next on_update), or the token of the
    # browser connection that claimed it (so a second tab cannot publish over it).
    ingest_key_hash = models.CharField(max_length=64, blank=True, db_index=True)
    publisher_token = models.CharField(max_length=32, blank=True)
    last_ingest_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["host"],
                condition=Q(status__in=["live", "interrupted"]),
                name="streams_one_live_stream_per_host",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-current_viewers"], name="streams_status_viewers"),
            models.Index(fields=["host", "-created_at"], name="streams_host_created"),
            models.Index(fields=["status", "scheduled_start"], name="streams_status_scheduled"),
        ]
        verbose_name = _("stream")
        verbose_name_plural = _("streams")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("streams:watch", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def playlist_url(self) -> str:
        return f"{settings.HLS_URL}{self.public_id}/index.m3u8"


class ViewerSession(models.Model):
    """One row per viewer (account, or browser session for visitors) per stream.

    Watch time accumulates across rejoins; `left_at` is set when the viewer leaves
    or stops sending heartbeats.
    """

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="viewer_sessions")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # A deleted account's watch history goes with it (a row must name a viewer).
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="viewer_sessions",
    )
    anonymous_key = models.CharField(max_length=64, blank=True)
    joined_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    watch_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stream", "viewer"],
                condition=Q(viewer__isnull=False),
                name="streams_one_session_per_viewer",
            ),
            models.UniqueConstraint(
                fields=["stream", "anonymous_key"],
                condition=~Q(anonymous_key=""),
                name="streams_one_session_per_visitor",
            ),
            models.CheckConstraint(
                condition=Q(viewer__isnull=False) | ~Q(anonymous_key=""),
                name="streams_session_has_viewer_or_visitor",
            ),
        ]
        indexes = [
            models.Index(fields=["stream", "left_at", "last_seen_at"], name="streams_session_open")
        ]
        verbose_name = _("viewer session")
        verbose_name_plural = _("viewer sessions")

    def __str__(self) -> str:
        return f"{self.viewer or _('visitor')} watching {self.stream_id}"


class StreamReminder(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stream_reminders"
    )
    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="reminders")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "stream"], name="streams_one_reminder_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} -> {self.stream}"


class ThumbnailFrame(models.Model):
    """A frame grabbed from a live stream; the newest few are kept for moderation."""

    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="frames")
    image = models.ImageField(upload_to="frames/")
    captured_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-captured_at"]

    def __str__(self) -> str:
        return f"{self.stream} @ {self.captured_at:%H:%M:%S}"


class Recording(models.Model):
    """A stream's recording and, once remuxed, its MP4 VOD."""

    class Status(models.TextChoices):
        RECORDING = "recording", _("Recording")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    stream = models.OneToOneField(Stream, on_delete=models.CASCADE, related_name="recording")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECORDING)
    # Raw parts (MPEG-TS from the browser path, FLV from nginx-rtmp) in publish order.
    source_paths = models.JSONField(default=list, blank=True)
    file = models.FileField(upload_to="vods/", blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")

    def __str__(self) -> str:
        return f"{self.stream} ({self.get_status_display()})"
