"""The Wallet page: balances and history straight from the ledger."""

import re

import pytest
from django.urls import reverse

from economy.services.adjustments import post_adjustment
from tests.economy.ledger_helpers import earnings_of, grant, spend, wallet_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

WALLET = reverse("economy:wallet")


def history(page: str) -> list[str]:
    """Each history row's visible text, squeezed."""
    rows = re.findall(r"<li class=\"history-list__item\" data-history-entry>(.*?)</li>", page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


@pytest.fixture
def viewer(client):
    member = UserFactory()
    client.force_login(member)
    return member


def test_the_balance_is_what_the_ledger_holds(client, viewer):
    wallet = wallet_of(viewer)
    grant(wallet, 120)
    spend(wallet, 45)

    page = client.get(WALLET).content.decode()

    assert '<p class="balance__amount">75 <span>coins</span></p>' in page
    assert 'data-balance="diamonds"' not in page  # not a creator


def test_history_lists_movements_newest_first_with_signs(client, viewer):
    wallet = wallet_of(viewer)
    grant(wallet, 120)
    spend(wallet, 45)

    rows = history(client.get(WALLET).content.decode())

    assert len(rows) == 2
    assert rows[0].startswith("Gift") and rows[0].endswith("-45 coins")
    assert rows[1].startswith("Reward") and rows[1].endswith("+120 coins")


def test_a_correction_shows_its_reason(client, viewer):
    staff = UserFactory(is_staff=True)
    post_adjustment(
        account=wallet_of(viewer),
        amount=15,
        reason="Refund for a failed gift, ticket 77",
        staff_user=staff,
        idempotency_key="k1",
    )

    rows = history(client.get(WALLET).content.decode())

    assert rows[0].startswith("Staff adjustment Refund for a failed gift, ticket 77")
    assert rows[0].endswith("+15 coins")


def test_a_creator_sees_diamonds_earned(client):
    creator = UserFactory(is_creator=True)
    client.force_login(creator)
    grant(earnings_of(creator), 7)

    page = client.get(WALLET).content.decode()

    assert '<p class="balance__amount">7 <span>diamonds</span></p>' in page


def test_history_filters_by_asset_and_type(client, viewer):
    grant(wallet_of(viewer), 50)
    grant(earnings_of(viewer), 9)
    spend(wallet_of(viewer), 5)

    diamonds_only = history(client.get(WALLET, {"asset": "diamonds"}).content.decode())
    gifts_only = history(client.get(WALLET, {"kind": "gift"}).content.decode())
    nothing = client.get(WALLET, {"kind": "payout_paid"}).content.decode()

    assert len(diamonds_only) == 1 and diamonds_only[0].endswith("+9 diamonds")
    assert len(gifts_only) == 1 and gifts_only[0].endswith("-5 coins")
    assert "Nothing matches these filters." in nothing


def test_history_pages_by_25(client, viewer):
    wallet = wallet_of(viewer)
    for _ in range(30):
        grant(wallet, 1)

    first = client.get(WALLET).content.decode()
    second = client.get(WALLET, {"page": 2}).content.decode()

    assert len(history(first)) == 25
    assert len(history(second)) == 5
    assert "Page 1 of 2" in first


def test_the_page_takes_a_fixed_number_of_queries(client, viewer, django_assert_max_num_queries):
    wallet = wallet_of(viewer)
    for _ in range(30):
        grant(wallet, 1)
    grant(earnings_of(viewer), 3)

    # (+ the privacy notices: consent choice and scheduled deletion)
    with django_assert_max_num_queries(12):
        client.get(WALLET)
