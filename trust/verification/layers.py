"""The verification layers the site offers, in the order the page shows them.

Every `Verification.Kind` is a possible layer; a kind is offered once it has a flow
(services, a form on the page) and an entry here. Social, bank and address
verification plug in by adding their flow and a `Layer` to `LAYERS`; the page, the
"what is next" logic and the admin pick them up from here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from trust.verification.models import Verification
from trust.verification.sms import configured_provider_name

Kind = Verification.Kind


def _always() -> bool:
    return True


def _anyone(user) -> Promise | None:
    return None


def _sms_provider_configured() -> bool:
    return bool(configured_provider_name())


def _creators_only(user) -> Promise | None:
    if user.is_creator:
        return None
    return _(
        "Identity verification is for creators: it lets them withdraw their earnings. "
        "Once you are a creator, you can send your documents here."
    )


@dataclass(frozen=True)
class Layer:
    kind: str
    title: Promise
    #: What the layer proves, shown under its title.
    purpose: Promise
    #: Staff decide (approve or reject); otherwise the member completes it alone.
    reviewed_by_staff: bool = False
    #: Whether the site can run this layer's flow now (e.g. an SMS provider is set).
    is_offered: Callable[[], bool] = _always
    #: Why `user` may not take this layer, or None when they may.
    ineligibility: Callable[..., Promise | None] = _anyone


LAYERS: tuple[Layer, ...] = (
    Layer(
        kind=Kind.EMAIL,
        title=_("Email address"),
        purpose=_("We can reach you about your account and payments."),
    ),
    Layer(
        kind=Kind.PHONE,
        title=_("Phone number"),
        purpose=_("A number only you hold: it protects your account and your earnings."),
        is_offered=_sms_provider_configured,
    ),
    Layer(
        kind=Kind.IDENTITY,
        title=_("Identity"),
        purpose=_("An official document and a selfie show you are who you say you are."),
        reviewed_by_staff=True,
        ineligibility=_creators_only,
    ),
)

STAFF_REVIEWED_KINDS = frozenset(layer.kind for layer in LAYERS if layer.reviewed_by_staff)


def offered_layers() -> list[Layer]:
    return [layer for layer in LAYERS if layer.is_offered()]


def get_layer(kind: str) -> Layer | None:
    return next((layer for layer in LAYERS if layer.kind == kind), None)
