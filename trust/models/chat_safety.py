"""Chat safety records: blocked terms, site-wide bans and the moderation log."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TERM_MAX_LENGTH = 100


class BlockedTerm(models.Model):
    """A word or phrase chat refuses. Without a channel it applies everywhere.

    Matching is on normalized text (`trust.text.normalize`), so one entry catches
    case, accent, leetspeak and repeated-letter variants.
    """

    term = models.CharField(_("term"), max_length=TERM_MAX_LENGTH)
    normalized = models.CharField(max_length=TERM_MAX_LENGTH * 2, editable=False)
    channel = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="blocked_terms",
        help_text=_("Leave empty to block the term in every channel."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("blocked term")
        verbose_name_plural = _("blocked terms")
        constraints = [
            models.UniqueConstraint(
                fields=["normalized"],
                condition=models.Q(channel__isnull=True),
                name="unique_global_blocked_term",
            ),
            models.UniqueConstraint(
                fields=["channel", "normalized"], name="unique_channel_blocked_term"
            ),
        ]

    def __str__(self) -> str:
        return self.term


class SiteBan(models.Model):
    """A staff ban from taking part anywhere on the site (watching stays allowed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_bans"
    )
    reason = models.CharField(_("reason"), max_length=200)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("site-wide ban")
        verbose_name_plural = _("site-wide bans")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return str(self.user)


class ModerationAction(models.Model):
    """What a moderator (or AutoMod) did, to whom, and why. Append-only."""

    class Kind(models.TextChoices):
        DELETE_MESSAGE = "delete_message", _("Deleted a message")
        CLEAR_CHAT = "clear_chat", _("Cleared chat")
        TIMEOUT = "timeout", _("Timed out")
        BAN = "ban", _("Banned from the channel")
        UNBAN = "unban", _("Lifted a channel ban")
        SITE_BAN = "site_ban", _("Banned site-wide")
        SITE_UNBAN = "site_unban", _("Lifted a site-wide ban")
        CHANGE_MODES = "change_modes", _("Changed chat modes")
        APPROVE_MESSAGE = "approve_message", _("Approved a held message")
        DENY_MESSAGE = "deny_message", _("Denied a held message")
        ADD_MODERATOR = "add_moderator", _("Appointed a moderator")
        REMOVE_MODERATOR = "remove_moderator", _("Removed a moderator")
        AUTOMOD_HOLD = "automod_hold", _("AutoMod held a message")
        AUTOMOD_REJECT = "automod_reject", _("AutoMod rejected a message")
        # Decisions on moderation cases (trust.services.cases).
        DISMISS = "dismiss", _("Dismissed the reports")
        WARN = "warn", _("Warned")
        REMOVE_CONTENT = "remove_content", _("Removed content")
        END_STREAM = "end_stream", _("Ended a stream")
        SUSPEND = "suspend", _("Suspended")
        ESCALATE = "escalate", _("Escalated to a senior moderator")
        AI_BLOCK = "ai_block", _("AI moderation hid a frame")
        APPEAL_UPHELD = "appeal_upheld", _("Upheld an appeal's decision")
        APPEAL_OVERTURNED = "appeal_overturned", _("Overturned a decision on appeal")

    # What the member affected may appeal, once each.
    APPEALABLE_KINDS = (
        Kind.WARN,
        Kind.REMOVE_CONTENT,
        Kind.END_STREAM,
        Kind.SUSPEND,
        Kind.SITE_BAN,
        Kind.AI_BLOCK,
    )

    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    case = models.ForeignKey(
        "trust.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("case"),
    )
    # Empty for AutoMod's own actions.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions_taken",
        verbose_name=_("moderator"),
    )
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions_received",
        verbose_name=_("target"),
    )
    channel = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("channel"),
    )
    stream = models.ForeignKey(
        "streams.Stream", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chat_message = models.ForeignKey(
        "streams.ChatMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")
        indexes = [
            models.Index(fields=["channel", "-created_at"]),
            models.Index(fields=["target_user", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target_user or ''}"
