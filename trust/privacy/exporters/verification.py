"""Verification layers, when the trust.verification app is installed: what was
verified and how it was decided. Codes, document images and the reviewer stay out."""

from django.apps import apps

from trust.privacy.exporters import exporter

# The subject (the verified value) is the member's own contact detail for these
# layers; for the others it is empty or for staff eyes only.
LAYERS_WITH_OWN_SUBJECT = {"email", "phone"}


def _verification_model():
    if not apps.is_installed("trust.verification"):
        return None
    try:
        from trust.verification.models import Verification
    except ImportError:
        return None
    return Verification


if _verification_model() is not None:

    @exporter("verifications")
    def export_verifications(*, user) -> list[dict]:
        Verification = _verification_model()
        return [
            {
                "layer": verification.kind,
                "status": verification.status,
                "verified_value": (
                    verification.subject if verification.kind in LAYERS_WITH_OWN_SUBJECT else ""
                ),
                "evidence": verification.evidence,
                "rejection_reason": verification.rejection_reason,
                "started_at": verification.created_at,
                "decided_at": verification.decided_at,
                "expires_at": verification.expires_at,
            }
            for verification in Verification.objects.filter(user=user).order_by("pk")
        ]
