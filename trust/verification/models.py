"""Verification layers: each is one `Verification` row per attempt, and what an attempt
needs to keep privately (a phone code's hash, identity document images) lives in a
side table that is emptied once it is no longer needed.

A user's history of a layer is its rows, newest first: at most one is pending and at
most one is verified at a time (the database enforces both), and rejected or expired
rows stay so the user can read why.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from trust.verification.storage import private_storage


class Verification(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("email address")
        PHONE = "phone", _("phone number")
        IDENTITY = "identity", _("identity")
        SOCIAL = "social", _("social account")
        BANK = "bank", _("bank account")
        ADDRESS = "address", _("address")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")
        EXPIRED = "expired", _("expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    kind = models.CharField(_("layer"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # What is being verified, where the layer has one: the email address, the phone
    # number in E.164. Empty for identity. Verified phone numbers are unique.
    subject = models.CharField(_("verified value"), max_length=254, blank=True)
    # Facts the page and reviewers show (document type, phone region). Never secrets:
    # codes and images live in PhoneCode and IdentityDocuments.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Pending: when the attempt lapses (a phone code's end). Verified: when it must be
    # renewed; None when it does not lapse.
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        permissions = [
            ("review_verification", _("Can approve or reject verifications")),
            ("view_identity_documents", _("Can view identity document images")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status="pending"),
                name="verification_one_pending_per_layer",
            ),
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status="verified"),
                name="verification_one_verified_per_layer",
            ),
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(kind="phone", status="verified"),
                name="verification_phone_verified_once",
                violation_error_message=_("This number is verified on another account."),
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False)),
                name="verification_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="verification_rejection_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "kind", "-created_at"]),
            models.Index(fields=["kind", "status", "created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.user} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.VERIFIED

    @property
    def document_type_label(self) -> str:
        """The identity document's kind as people read it ("Passport"), or ""."""
        value = (self.evidence or {}).get("document_type", "")
        if value in IdentityDocuments.DocumentType.values:
            return IdentityDocuments.DocumentType(value).label
        return ""


class PhoneCode(models.Model):
    """The code last issued for a pending phone verification, as a keyed hash.

    Created with an empty hash; the Celery task that texts the code makes it and
    writes the hash (services.phone_delivery). Deleted when the number is verified or
    the attempt lapses; a new code replaces the old one (a new row).
    """

    verification = models.OneToOneField(
        Verification, on_delete=models.CASCADE, related_name="phone_code"
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts_left = models.PositiveSmallIntegerField()
    # Set when the SMS provider refused or failed the send: a short code for the
    # page and the logs (the provider's own error code when it gave one).
    delivery_error = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")

    def __str__(self) -> str:
        return f"code for {self.verification_id}"


def identity_document_path(instance, filename: str) -> str:
    # Random names: nothing about the member or the document is in the path.
    return f"identity/{uuid.uuid4().hex}.jpg"


class IdentityDocuments(models.Model):
    """The images sent for an identity verification. Stored in the private storage
    (never under MEDIA_URL) and deleted IDENTITY_DOCUMENT_RETENTION_DAYS after the
    decision; `deleted_at` records that they are gone."""

    class DocumentType(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National ID card")
        DRIVING_LICENCE = "driving_licence", _("Driving licence")

    verification = models.OneToOneField(
        Verification, on_delete=models.CASCADE, related_name="identity_documents"
    )
    document_type = models.CharField(_("document"), max_length=20, choices=DocumentType.choices)
    front = models.FileField(
        _("front"), storage=private_storage, upload_to=identity_document_path, blank=True
    )
    back = models.FileField(
        _("back"), storage=private_storage, upload_to=identity_document_path, blank=True
    )
    selfie = models.FileField(
        _("selfie"), storage=private_storage, upload_to=identity_document_path, blank=True
    )
    deleted_at = models.DateTimeField(_("images deleted"), null=True, blank=True)

    IMAGE_FIELDS = ("front", "back", "selfie")

    class Meta:
        verbose_name = _("identity documents")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} for {self.verification_id}"

    @classmethod
    def needs_back(cls, document_type: str) -> bool:
        return document_type != cls.DocumentType.PASSPORT


class DevTextMessage(models.Model):
    """The last text the `dev` SMS provider "sent" to each number, so that staff (and
    a developer) can read the code. The dev provider never runs in production."""

    to = models.CharField(_("to"), max_length=20, unique=True)
    body = models.CharField(_("text"), max_length=320)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("text message (dev provider)")
        verbose_name_plural = _("text messages (dev provider)")

    def __str__(self) -> str:
        return self.to
