"""Reports from viewers, the moderation cases they open, and appeals against decisions.

A case gathers everything about one reported target (a stream, a chat message or an
account): every report, the AI and AutoMod signals, and how it was closed. There is at
most one open case per target, so a hundred viewers reporting one stream give one case
with a hundred reports, ranked by severity and reach.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 500
APPEAL_STATEMENT_MAX_LENGTH = 1000


class Case(models.Model):
    class TargetKind(models.TextChoices):
        STREAM = "stream", _("Stream")
        CHAT_MESSAGE = "chat_message", _("Chat message")
        USER = "user", _("Account")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ESCALATED = "escalated", _("Escalated")
        ACTIONED = "actioned", _("Action taken")
        DISMISSED = "dismissed", _("Dismissed")

    OPEN_STATUSES = (Status.OPEN, Status.ESCALATED)

    target_kind = models.CharField(_("reported"), max_length=16, choices=TargetKind.choices)
    # "stream:42", "chat_message:7", "user:3": what makes two reports about the same thing.
    target_key = models.CharField(max_length=40, db_index=True)
    # The account answerable for the target: the host, the message's author, the account.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_cases",
        verbose_name=_("account"),
    )
    stream = models.ForeignKey(
        "streams.Stream", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chat_message = models.ForeignKey(
        "streams.ChatMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    severity = models.PositiveSmallIntegerField(_("severity"), default=1)
    # Live viewers when last reported: a live stream with an audience comes first.
    reach = models.PositiveIntegerField(_("reach"), default=0)
    priority = models.PositiveIntegerField(_("priority"), default=0, db_index=True)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    # AI and AutoMod findings: [{"source", "score", "model_version", "frame", "at"}].
    signals = models.JSONField(_("signals"), default=list, blank=True)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True, db_index=True)
    first_action_at = models.DateTimeField(_("first action"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        ordering = ["-priority", "opened_at"]
        verbose_name = _("moderation case")
        verbose_name_plural = _("moderation queue")
        constraints = [
            models.UniqueConstraint(
                fields=["target_key"],
                condition=models.Q(status__in=["open", "escalated"]),
                name="one_open_case_per_target",
            )
        ]
        indexes = [models.Index(fields=["status", "-priority"])]
        permissions = [
            ("moderate_case", _("Can act on moderation cases")),
            ("decide_escalated_case", _("Can act on escalated cases, ban and decide appeals")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_target_kind_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Report(models.Model):
    class Reason(models.TextChoices):
        NUDITY = "nudity", _("Nudity or sexual content")
        VIOLENCE = "violence", _("Violence or gore")
        HATE = "hate", _("Hate speech")
        HARASSMENT = "harassment", _("Harassment or bullying")
        MINOR_AT_RISK = "minor_at_risk", _("A minor at risk")
        SPAM = "spam", _("Spam")
        SCAM = "scam", _("Scam or fraud")
        COPYRIGHT = "copyright", _("Copyright infringement")
        OTHER = "other", _("Something else")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="reports_made",
        verbose_name=_("reporter"),
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    # Decided when the case closes: True when action was taken, False when dismissed.
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["case", "reporter"], name="one_report_per_reporter")
        ]
        indexes = [models.Index(fields=["reporter", "-created_at"])]

    def __str__(self) -> str:
        return self.get_reason_display()


class Appeal(models.Model):
    """One appeal per moderation action, decided by a senior moderator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        UPHELD = "upheld", _("Decision upheld")
        OVERTURNED = "overturned", _("Decision overturned")

    action = models.OneToOneField(
        "trust.ModerationAction", on_delete=models.CASCADE, related_name="appeal"
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="appeals",
        verbose_name=_("appellant"),
    )
    statement = models.TextField(
        _("why the decision is wrong"), max_length=APPEAL_STATEMENT_MAX_LENGTH
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("appealed"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeal queue")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.appellant}: {self.action}"
