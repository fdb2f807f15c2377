"""Property test: whatever sequence of coin purchases (and replays of their
webhooks), OG memberships, creator subscriptions (with coins or money), gifts (at
members' discount), rewards, refunds and payouts (paid or rejected) runs, every ledger
invariant holds and every wallet, debt, creator balance and subscription equals a
simple model of what should have moved."""

import json

import pytest
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from economy.audit import audit_ledger
from economy.exceptions import CoinDebtOutstanding, InsufficientFunds
from economy.models import (
    SUBSCRIPTION_PRICE_COINS,
    CoinPackage,
    CreatorSubscription,
    Gift,
    OGTier,
    Payment,
)
from economy.payments.dev import DevProvider
from economy.selectors.ledger import get_wallet_summary
from economy.services import memberships, payments, subscriptions
from economy.services import payouts as payout_services
from economy.services.earnings import diamonds_for
from economy.services.gifts import send_gift
from economy.services.rewards import grant_coins
from halobuzz.users.mfa import current_totp_code, ensure_totp
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory

pytestmark = pytest.mark.django_db

PEOPLE = 3
PACKAGES = (100, 500)  # 100 coins; 500 + 25 bonus
GIFTS = ("rose", "coffee", "mic", "trophy")  # 1, 10, 30, 200 coins

operations = st.lists(
    st.one_of(
        st.tuples(st.just("buy"), st.integers(0, PEOPLE - 1), st.sampled_from(PACKAGES)),
        st.tuples(st.just("replay"), st.integers(0, 50)),
        st.tuples(
            st.just("gift"),
            st.integers(0, PEOPLE - 1),
            st.sampled_from(GIFTS),
            st.integers(1, 5),
        ),
        st.tuples(st.just("reward"), st.integers(0, PEOPLE - 1), st.integers(1, 300)),
        st.tuples(st.just("refund"), st.integers(0, 50)),
        st.tuples(st.just("payout"), st.integers(1, 400), st.booleans()),
        st.tuples(st.just("og"), st.integers(0, PEOPLE - 1), st.integers(1, 3)),
        st.tuples(
            st.just("subscribe"), st.integers(0, PEOPLE - 1), st.integers(1, 3), st.booleans()
        ),
    ),
    max_size=30,
)


def webhook(token: str) -> None:
    payments.handle_provider_webhook(
        provider_name="dev", body=json.dumps({"token": token}).encode(), headers={}
    )


@override_settings(PAYOUT_MINIMUM_DIAMONDS=1)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_any_sequence_of_purchases_gifts_and_refunds_keeps_every_invariant(steps):
    people = [UserFactory() for _ in range(PEOPLE)]
    stream = LiveStreamFactory()
    creator = stream.host
    creator.is_kyc_verified = True
    totp_secret = ensure_totp(user=creator)
    method = payout_services.add_payout_method(
        creator=creator, kind="esewa", holder_name="Asha", account="98", currency="NPR"
    )
    staff = UserFactory(is_staff=True)
    subscriptions.save_subscription_settings(creator=creator, levels=[1, 2, 3])
    coins, debt, months = [0] * PEOPLE, [0] * PEOPLE, [0] * PEOPLE
    og_tier = [0] * PEOPLE  # the running OG tier number (none lapse during the test)
    diamonds = 0
    bought: list[tuple[int, Payment, str]] = []  # (who, payment, token)
    refunded: set[int] = set()
    for number, step in enumerate(steps):
        match step:
            case ("buy", who, package_coins):
                package = CoinPackage.objects.get(coins=package_coins)
                payment = payments.start_coin_purchase(
                    user=people[who],
                    package_id=package.pk,
                    provider_name="dev",
                    currency="USD",
                    absolute_url=str,
                ).payment
                token = DevProvider({}).decide(payment=payment, choice="pay")
                webhook(token)
                repaid = min(debt[who], package.total_coins)
                debt[who] -= repaid
                coins[who] += package.total_coins - repaid
                bought.append((who, payment, token))
            case ("replay", index) if bought:
                webhook(bought[index % len(bought)][2])
            case ("gift", who, slug, quantity):
                gift = Gift.objects.get(slug=slug)
                list_price = gift.price_coins * quantity
                discount = (
                    OGTier.objects.get(tier=og_tier[who]).gift_discount_percent
                    if og_tier[who]
                    else 0
                )
                cost = list_price - list_price * discount // 100
                try:
                    send_gift(
                        sender=people[who],
                        stream_id=stream.pk,
                        gift_id=gift.pk,
                        quantity=quantity,
                        idempotency_key=f"step-{number}",
                    )
                except CoinDebtOutstanding:
                    assert debt[who] > 0
                except InsufficientFunds:
                    assert debt[who] == 0 and coins[who] < cost
                else:
                    assert debt[who] == 0 and coins[who] >= cost
                    coins[who] -= cost
                    diamonds += diamonds_for(coins=list_price, share_percent=70)
            case ("reward", who, amount):
                grant_coins(
                    user=people[who],
                    coins=amount,
                    reason="test",
                    idempotency_key=f"r-{people[0].pk}-{number}",
                )
                coins[who] += amount
            case ("refund", index) if bought:
                who, payment, _token = bought[index % len(bought)]
                payment.refresh_from_db()
                if payment.pk in refunded:
                    continue
                payments.refund_payment(payment=payment, staff_user=staff)
                refunded.add(payment.pk)
                if payment.is_subscription:
                    months[who] -= 1  # the creator keeps the diamonds
                    continue
                taken = min(coins[who], payment.coins)
                coins[who] -= taken
                debt[who] += payment.coins - taken
            case ("og", who, level):
                tier = OGTier.objects.get(tier=level)
                try:
                    memberships.buy_og_membership(
                        user=people[who], tier_id=tier.pk, idempotency_key=f"og-{number}"
                    )
                except memberships.MembershipError:
                    assert level < og_tier[who]
                except CoinDebtOutstanding:
                    assert debt[who] > 0
                except InsufficientFunds:
                    assert debt[who] == 0 and coins[who] < tier.price_coins
                else:
                    assert level >= og_tier[who] and coins[who] >= tier.price_coins
                    coins[who] -= tier.price_coins
                    og_tier[who] = level
            case ("subscribe", who, level, with_money):
                price = SUBSCRIPTION_PRICE_COINS[level]
                if with_money:
                    payment = subscriptions.start_subscription_checkout(
                        subscriber=people[who],
                        creator=creator,
                        level=level,
                        provider_name="dev",
                        currency="USD",
                        absolute_url=str,
                    ).payment
                    token = DevProvider({}).decide(payment=payment, choice="pay")
                    webhook(token)
                    bought.append((who, payment, token))
                else:
                    try:
                        subscriptions.subscribe_with_coins(
                            subscriber=people[who],
                            creator=creator,
                            level=level,
                            idempotency_key=f"sub-{number}",
                        )
                    except CoinDebtOutstanding:
                        assert debt[who] > 0
                        continue
                    except InsufficientFunds:
                        assert debt[who] == 0 and coins[who] < price
                        continue
                    coins[who] -= price
                months[who] += 1
                diamonds += diamonds_for(coins=price, share_percent=70)
            case ("payout", amount, paid):
                cache.clear()  # each step's code is fresh, as in its own 30 s window
                try:
                    payout = payout_services.request_payout(
                        creator=creator,
                        diamonds=amount,
                        method_id=method.pk,
                        mfa_code=current_totp_code(totp_secret),
                        idempotency_key=f"p-{creator.pk}-{number}",
                    )
                except InsufficientFunds:
                    assert diamonds < amount
                    continue
                diamonds -= amount
                payout_services.approve_payout(payout_id=payout.pk, staff_user=staff)
                if paid:
                    payout_services.mark_payout_paid(payout_id=payout.pk, staff_user=staff)
                else:
                    payout_services.reject_payout(
                        payout_id=payout.pk, staff_user=staff, reason="test rejection"
                    )
                    diamonds += amount
            case _:
                pass

    for who, person in enumerate(people):
        summary = get_wallet_summary(user=person)
        assert (summary["coins"], summary["coin_debt"]) == (coins[who], debt[who])
    assert get_wallet_summary(user=stream.host)["diamonds"] == diamonds
    for who, person in enumerate(people):
        subscription = CreatorSubscription.objects.filter(subscriber=person).first()
        assert (subscription.months if subscription else 0) == months[who]
    report = audit_ledger()
    assert report.clean, report.as_text()
