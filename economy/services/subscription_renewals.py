"""Subscriptions a payment provider renews by itself every month (Stripe), as the
LusoTown plan asks: "recurring where the provider supports it" (docs/architecture.md,
"Creator subscriptions").

The first month is an ordinary subscription payment whose checkout asked the provider
to charge monthly (`Payment.renews_monthly`); when it is paid, the subscription
remembers the provider's id for the recurring charge and is no longer reminded to
renew. Each month the provider then charges by itself, it reports the charge; that
becomes a payment of its own, copied from the first, and is credited like any other
(the month, the ledger, the creator's share), once however often it is reported.
Stopping renewal asks the provider to charge no more; the month paid for runs out.
"""

from django.utils.translation import gettext_lazy as _

from economy.exceptions import EconomyError
from economy.models import CreatorSubscription, Payment
from economy.payments import base, registry


class RenewalError(EconomyError):
    pass


def renewal_payment_for(*, provider_name: str, report: base.ProviderReport) -> Payment | None:
    """The payment for a month the provider charged by itself, created the first time
    it is reported and locked (inside the caller's transaction). None when no
    checkout of ours started that recurring charge."""
    first = (
        Payment.objects.filter(
            provider=provider_name,
            provider_subscription_id=report.provider_subscription_id,
            renews_monthly=True,
        )
        .order_by("created_at")
        .first()
    )
    if first is None:
        return None
    renewal, _created = Payment.objects.get_or_create(
        provider=provider_name,
        provider_reference=report.provider_reference,
        defaults={
            "user_id": first.user_id,
            "purpose": Payment.Purpose.SUBSCRIPTION,
            "subscription_creator_id": first.subscription_creator_id,
            "subscription_level": first.subscription_level,
            # The price the recurring charge was set up with.
            "amount": first.amount,
            "coins": first.coins,
            "provider_subscription_id": report.provider_subscription_id,
            "status": Payment.Status.PENDING,
        },
    )
    return Payment.objects.select_related("user").select_for_update(of=("self",)).get(pk=renewal.pk)


def remember_monthly_renewal(*, subscription: CreatorSubscription, payment: Payment) -> None:
    """The first month of a renewing checkout was paid: from now on the provider
    renews the subscription (no reminders)."""
    if payment.renews_monthly and payment.provider_subscription_id:
        subscription.renewal_provider = payment.provider
        subscription.renewal_reference = payment.provider_subscription_id
        subscription.save(update_fields=["renewal_provider", "renewal_reference"])


def end_monthly_renewal(*, provider_name: str, provider_subscription_id: str) -> int:
    """The provider will charge no more: the subscriber renews by hand again (and is
    reminded). Returns how many subscriptions it renewed (0 or 1)."""
    return CreatorSubscription.objects.filter(
        renewal_provider=provider_name, renewal_reference=provider_subscription_id
    ).update(renewal_provider="", renewal_reference="")


def stop_monthly_renewal(*, subscriber, creator) -> CreatorSubscription:
    """The subscriber stops automatic renewal; the month paid for runs out. Raises
    RenewalError when nothing renews or the provider cannot be reached."""
    subscription = CreatorSubscription.objects.filter(
        subscriber=subscriber, creator=creator
    ).first()
    if subscription is None or not subscription.renews_monthly:
        raise RenewalError(_("This subscription does not renew by itself."), code="not_renewing")
    try:
        registry.get_provider(subscription.renewal_provider).stop_monthly_renewal(
            provider_subscription_id=subscription.renewal_reference
        )
    except (base.ProviderError, LookupError) as error:
        raise RenewalError(
            _("The payment provider did not answer; nothing was changed. Try again shortly."),
            code="provider_unavailable",
        ) from error
    end_monthly_renewal(
        provider_name=subscription.renewal_provider,
        provider_subscription_id=subscription.renewal_reference,
    )
    subscription.refresh_from_db()
    return subscription
