"""The security log: what happened to an account, when, and from where.

A member reads their own log at /account/security-log/; staff read everyone's in the
console. Rows are only ever added (by `trust.audit.services.record_audit_event`):
the log is evidence, so nothing edits it afterwards.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER_AGENT_MAX_LENGTH = 300


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOGOUT = "logout", _("Signed out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset by email")
        MFA_ENABLED = "mfa_enabled", _("Two-factor authentication turned on")
        MFA_DISABLED = "mfa_disabled", _("Two-factor authentication turned off")
        MFA_RECOVERY_CODES_REGENERATED = (
            "mfa_recovery_codes_regenerated",
            _("New recovery codes generated"),
        )
        EMAIL_ADDED = "email_added", _("Email address added")
        EMAIL_REMOVED = "email_removed", _("Email address removed")
        EMAIL_CHANGED = "email_changed", _("Email address changed")
        EMAIL_PRIMARY_CHANGED = "email_primary_changed", _("Primary email address changed")
        PHONE_CHANGED = "phone_changed", _("Phone number changed")
        PAYOUT_REQUESTED = "payout_requested", _("Withdrawal requested")
        STAFF_ACTION = "staff_action", _("Changed by HaloBuzz staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="audit_events",
        verbose_name=_("account"),
        help_text=_("The account the event is about."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
        help_text=_("Who did it: the member, a staff member, or nobody known (a failed sign-in)."),
    )
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_MAX_LENGTH, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="audit_event_user_newest")]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.user_id} · {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Security events are append-only: record a new event instead.")
        super().save(*args, **kwargs)

    @property
    def done_by_staff(self) -> bool:
        """HaloBuzz staff acted on the account: the address and browser are staff's, not
        the member's, and are not shown to the member. Any other event (a failed
        sign-in, or one whose actor is another member) shows where it came from, as
        that is what the member needs to recognise. Load with select_related("actor")."""
        if self.kind == self.Kind.STAFF_ACTION:
            return True
        return self.actor_id is not None and self.actor_id != self.user_id and self.actor.is_staff
