"""Economy jobs run by Celery beat (schedules are editable in the admin) and the
dev provider's webhook."""

import json
import logging

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from economy.audit import audit_ledger
from economy.models import Payment
from economy.payments.base import ProviderError
from economy.selectors.payments import list_stale_pending_payments
from economy.services import ledger, memberships, payments, subscriptions
from halobuzz.core.services import alert_staff
from halobuzz.notifications.models import Notification
from halobuzz.notifications.services import notify_users

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def roll_up_balances() -> None:
    """Fold appended entries into cached balances, so reads stay cheap."""
    ledger.roll_up_pending_balances()


@shared_task
def audit_ledger_nightly() -> bool:
    """Check every invariant; on a breach, log it and email staff. True when clean."""
    report = audit_ledger()
    text = report.as_text()
    if report.clean:
        logger.info("Ledger audit: %s", text.replace("\n", "; "))
        return True
    logger.error("Ledger audit found a breach:\n%s", text)
    alert_staff(subject="Ledger audit found a breach", body=text)
    return False


@shared_task(ignore_result=True)
def check_pending_payments() -> int:
    """Ask providers about payments still pending after a while (a buyer who closed
    the tab before returning, a webhook that never came). Returns how many moved."""
    moved = 0
    for payment in list_stale_pending_payments(
        older_than_seconds=settings.PAYMENT_STATUS_CHECK_AFTER_SECONDS
    ):
        try:
            updated = payments.check_payment_status(payment=payment)
        except ProviderError as error:
            logger.warning("payment %s: status check failed: %s", payment.public_id, error)
            continue
        moved += updated.status != Payment.Status.PENDING
    return moved


@shared_task(ignore_result=True)
def deliver_dev_webhook(*, token: str) -> None:
    """The dev provider's webhook, delivered the way a real provider's would be."""
    payments.handle_provider_webhook(
        provider_name="dev", body=json.dumps({"token": token}).encode(), headers={}
    )


@shared_task(ignore_result=True)
def end_lapsed_og_memberships() -> int:
    """End OG memberships whose time ran out and tell each member once."""
    ended = memberships.end_lapsed_og_memberships()
    for membership in ended:
        with translation.override(membership.user.preferred_language):
            notify_users(
                recipients=[membership.user],
                kind=Notification.Kind.MEMBERSHIP,
                title=str(_("Your %(tier)s membership has ended") % {"tier": membership.tier}),
                body=str(_("Renew it to keep your badge, daily bonus and gift discount.")),
                url=reverse("economy:og"),
                dedupe_key=f"og-ended:{membership.pk}:{membership.expires_at:%Y%m%d%H%M}",
            )
    return len(ended)


@shared_task(ignore_result=True)
def remind_subscription_renewals() -> int:
    """Tell subscribers a few days before their month with a creator ends."""
    due = subscriptions.list_subscriptions_to_remind()
    for subscription in due:
        creator = subscription.creator
        with translation.override(subscription.subscriber.preferred_language):
            notify_users(
                recipients=[subscription.subscriber],
                kind=Notification.Kind.MEMBERSHIP,
                title=str(_("Your subscription to %(name)s ends soon") % {"name": creator.name}),
                body=str(_("Renew it to keep your subscriber badge and support them.")),
                url=creator.get_absolute_url(),
                dedupe_key=f"sub-ends:{subscription.pk}:{subscription.expires_at:%Y%m%d%H%M}",
            )
    return len(due)
