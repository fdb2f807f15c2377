"""Creator subscriptions with coins: a month at a time, the creator earns their partner
share, subscribers carry a badge with their months, and hear before a month ends."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from economy.audit import audit_ledger
from economy.exceptions import InsufficientFunds
from economy.models import CreatorPartnership, CreatorSubscription, PartnerTier
from economy.selectors.ledger import get_wallet_summary
from economy.services import subscriptions
from economy.tasks import remind_subscription_renewals
from halobuzz.notifications.models import Notification
from streams.badges import badges_for
from tests.economy.ledger_helpers import grant, wallet_of
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator():
    user = UserFactory(is_creator=True)
    subscriptions.save_subscription_settings(creator=user, levels=[1, 2])
    return user


@pytest.fixture
def fan():
    user = UserFactory()
    grant(wallet_of(user), 5000)
    return user


def subscribe(fan, creator, level=1, key="k1"):
    return subscriptions.subscribe_with_coins(
        subscriber=fan, creator=creator, level=level, idempotency_key=key
    )


def test_a_month_takes_the_coins_and_pays_the_creator_their_share(fan, creator):
    subscription = subscribe(fan, creator)

    assert get_wallet_summary(user=fan)["coins"] == 4600
    assert get_wallet_summary(user=creator)["diamonds"] == 280  # 70 % of 400
    assert subscription.months == 1
    assert audit_ledger().clean


def test_an_elite_creator_earns_85_percent(fan, creator):
    CreatorPartnership.objects.create(creator=creator, tier=PartnerTier.ELITE)

    subscribe(fan, creator, level=2)

    assert get_wallet_summary(user=creator)["diamonds"] == 850


def test_renewing_adds_a_month_from_the_current_end_and_a_repeated_key_charges_once(fan, creator):
    first = subscribe(fan, creator, key="a")
    end = first.expires_at
    subscribe(fan, creator, key="a")
    renewed = subscribe(fan, creator, level=2, key="b")

    assert renewed.months == 2
    assert renewed.level == 2
    assert renewed.expires_at == end + timedelta(days=30)
    assert get_wallet_summary(user=fan)["coins"] == 5000 - 400 - 1000


def test_levels_the_creator_does_not_offer_and_oneself_are_refused(fan, creator):
    with pytest.raises(subscriptions.SubscriptionError) as refused:
        subscribe(fan, creator, level=3)
    assert refused.value.code == "level_not_offered"
    grant(wallet_of(creator), 1000)
    with pytest.raises(subscriptions.SubscriptionError) as refused:
        subscribe(creator, creator)
    assert refused.value.code == "own_channel"


def test_not_enough_coins_subscribes_nobody(creator):
    poor = UserFactory()

    with pytest.raises(InsufficientFunds):
        subscribe(poor, creator)

    assert not CreatorSubscription.objects.exists()


def test_subscribers_carry_a_badge_with_their_months_in_that_creators_chat(fan, creator):
    subscribe(fan, creator, key="a")
    subscribe(fan, creator, key="b")
    own_stream = LiveStreamFactory(host=creator)
    someone_elses = LiveStreamFactory()

    assert {"kind": "subscriber", "months": 2, "level": 1} in badges_for(
        user=fan, stream=own_stream, roles=frozenset()
    )
    assert not any(
        badge["kind"] == "subscriber"
        for badge in badges_for(user=fan, stream=someone_elses, roles=frozenset())
    )


def test_subscribers_hear_once_before_their_month_ends(fan, creator):
    subscription = subscribe(fan, creator)
    CreatorSubscription.objects.filter(pk=subscription.pk).update(
        expires_at=timezone.now() + timedelta(days=2)
    )

    assert remind_subscription_renewals() == 1
    assert remind_subscription_renewals() == 0

    note = Notification.objects.get(recipient=fan)
    assert creator.name in note.title


def test_the_subscribe_box_on_a_profile_subscribes(client, fan, creator):
    client.force_login(fan)
    profile = creator.get_absolute_url()
    page = client.get(profile).content.decode()
    assert "Supporter · 400 coins a month" in page

    response = client.post(
        reverse("economy:subscribe", args=[creator.username]),
        {"level": 1, "idempotency_key": "box", "next": profile},
        follow=True,
    )

    assert "Thank you!" in response.content.decode()
    assert "1 month" in response.content.decode()


def test_the_creator_sets_levels_and_sees_subscribers_on_the_earnings_page(client, fan, creator):
    subscribe(fan, creator)
    client.force_login(creator)

    client.post(reverse("economy:subscription-settings"), {"levels": ["3"]})
    page = client.get(reverse("economy:earnings")).content.decode()

    assert "1 subscriber" in page and fan.name in page
    creator.subscription_settings.refresh_from_db()
    assert creator.subscription_settings.offered_levels() == [3]
