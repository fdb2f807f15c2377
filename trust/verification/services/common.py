"""Helpers the layer services share."""

from django.utils import timezone
from django.utils.translation import gettext as _

from trust.verification.exceptions import LayerNotOffered, NotAllowed
from trust.verification.layers import get_layer
from trust.verification.models import PhoneCode, Verification


def require_layer_for(*, user, kind: str) -> None:
    """Raise LayerNotOffered when the site has no flow for `kind` now, NotAllowed (with
    the reason the page shows) when `user` may not take it."""
    layer = get_layer(kind)
    if layer is None or not layer.is_offered():
        raise LayerNotOffered(
            _("Verifying your %(layer)s is not available on this site right now.")
            % {"layer": Verification.Kind(kind).label}
        )
    reason = layer.ineligibility(user)
    if reason is not None:
        raise NotAllowed(reason)


def lapse_pending(*, user, kind: str, now=None) -> int:
    """End `user`'s pending `kind` attempt, if any, as expired (a new attempt replaces
    it), and delete the code it was waiting for. Returns how many rows changed (0 or 1)."""
    pending = Verification.objects.filter(user=user, kind=kind, status=Verification.Status.PENDING)
    PhoneCode.objects.filter(verification__in=pending).delete()
    return pending.update(status=Verification.Status.EXPIRED, decided_at=now or timezone.now())
