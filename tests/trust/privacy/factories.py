"""Factories and helpers for privacy tests."""

import json
import uuid
from datetime import timedelta

import factory
from django.conf import settings
from django.utils import timezone

from economy.models import CoinPackage, Gift, Payment
from economy.payments.dev import DevProvider
from economy.services import payments
from economy.services.gifts import send_gift
from tests.factories import UserFactory
from trust.privacy.models import ConsentPurpose, ConsentRecord, DeletionRequest


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    """An analytics consent granted in the banner under the current policy."""

    class Meta:
        model = ConsentRecord

    user = factory.SubFactory(UserFactory)
    purpose = ConsentPurpose.ANALYTICS
    granted = True
    policy_version = factory.LazyFunction(lambda: settings.PRIVACY_POLICY_VERSION)
    source = ConsentRecord.Source.BANNER


class DeletionRequestFactory(factory.django.DjangoModelFactory):
    """A deletion in its cool-off; use `end_cool_off` to make it due."""

    class Meta:
        model = DeletionRequest

    user = factory.SubFactory(UserFactory)
    scheduled_for = factory.LazyFunction(
        lambda: timezone.now() + timedelta(days=settings.PRIVACY_DELETION_COOL_OFF_DAYS)
    )


def end_cool_off(deletion: DeletionRequest) -> DeletionRequest:
    """Move the deletion date into the past, as if the cool-off had run out."""
    DeletionRequest.objects.filter(pk=deletion.pk).update(
        scheduled_for=timezone.now() - timedelta(seconds=1)
    )
    deletion.refresh_from_db()
    return deletion


# --- Money, through economy's services like everything else ------------------------


def buy_coins(user, *, coins: int = 1000) -> Payment:
    """A paid coin purchase with the dev provider (1000 coins + 100 bonus)."""
    started = payments.start_coin_purchase(
        user=user,
        package_id=CoinPackage.objects.get(coins=coins).pk,
        provider_name="dev",
        currency="USD",
        absolute_url=lambda path: f"https://halobuzz.test{path}",
    )
    token = DevProvider({}).decide(payment=started.payment, choice="pay")
    payments.handle_provider_webhook(
        provider_name="dev", body=json.dumps({"token": token}).encode(), headers={}
    )
    started.payment.refresh_from_db()
    return started.payment


def send_gift_to(sender, stream, *, slug: str = "rose", key: str | None = None):
    return send_gift(
        sender=sender,
        stream_id=stream.pk,
        gift_id=Gift.objects.get(slug=slug).pk,
        quantity=1,
        idempotency_key=key or f"privacy-test-{uuid.uuid4()}",
    )
