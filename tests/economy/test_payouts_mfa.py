"""Creators need an authenticator app before they can withdraw: the earnings page
says so instead of showing the form, and the service refuses with `mfa_required`."""

import secrets

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from economy.models import Account, Asset, LedgerTransaction, PayoutRequest
from economy.selectors.ledger import get_wallet_summary
from economy.services import ledger
from economy.services import payouts as payout_services
from halobuzz.users.mfa import current_totp_code, ensure_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MFA_PAGE = reverse("mfa_index")


@pytest.fixture
def creator():
    """A verified creator with 5,000 diamonds and no two-factor authentication."""
    user = UserFactory(is_creator=True, is_kyc_verified=True, preferred_currency="NPR")
    ledger.post_transfer(
        kind=LedgerTransaction.Kind.GIFT,
        idempotency_key=f"earn:{secrets.token_hex(4)}",
        source=ledger.get_or_create_platform_account(
            kind=Account.Kind.DIAMOND_ISSUANCE, asset=Asset.DIAMONDS
        ),
        destination=ledger.get_or_create_user_account(
            user=user, kind=Account.Kind.CREATOR_DIAMONDS
        ),
        amount=5000,
    )
    return user


@pytest.fixture
def esewa(creator):
    return payout_services.add_payout_method(
        creator=creator, kind="esewa", holder_name="Asha Rai", account="9800000001", currency="NPR"
    )


def diamonds(user) -> int:
    return get_wallet_summary(user=user)["diamonds"]


def withdrawal_form(method, *, code="123456", key="mfa-1") -> dict:
    return {
        "action": "withdraw",
        "diamonds": 1500,
        "method": method.pk,
        "mfa_code": code,
        "idempotency_key": key,
    }


@pytest.mark.parametrize("code", ["", "123456"])
def test_without_an_authenticator_the_service_refuses_with_mfa_required(creator, esewa, code):
    with pytest.raises(payout_services.PayoutError) as refused:
        payout_services.request_payout(
            creator=creator, diamonds=1500, method_id=esewa.pk, mfa_code=code, idempotency_key="k"
        )

    assert refused.value.code == "mfa_required"
    assert "two-factor authentication" in refused.value.message
    assert refused.value.extra == {"setup_url": MFA_PAGE}
    assert diamonds(creator) == 5000
    assert not PayoutRequest.objects.exists()


def test_removing_the_authenticator_takes_withdrawals_away_again(creator, esewa):
    secret = ensure_totp(user=creator)
    code = current_totp_code(secret)
    Authenticator.objects.filter(user=creator).delete()

    with pytest.raises(payout_services.PayoutError) as refused:
        payout_services.request_payout(
            creator=creator, diamonds=1500, method_id=esewa.pk, mfa_code=code, idempotency_key="k"
        )

    assert refused.value.code == "mfa_required"


def test_the_earnings_page_links_to_two_factor_setup_instead_of_the_form(client, creator, esewa):
    client.force_login(creator)

    page = client.get(reverse("economy:earnings")).content.decode()

    assert "Withdrawals need two-factor authentication" in page
    assert f'href="{MFA_PAGE}"' in page
    assert 'name="mfa_code"' not in page


def test_with_an_authenticator_the_page_shows_the_withdrawal_form(client, creator, esewa):
    ensure_totp(user=creator)
    client.force_login(creator)

    page = client.get(reverse("economy:earnings")).content.decode()

    assert 'name="mfa_code"' in page
    assert "Withdrawals need two-factor authentication" not in page


def test_a_withdrawal_posted_without_an_authenticator_moves_nothing(client, creator, esewa):
    client.force_login(creator)

    page = client.post(reverse("economy:earnings"), withdrawal_form(esewa))

    assert page.status_code == 200
    assert "Withdrawals need two-factor authentication" in page.content.decode()
    assert diamonds(creator) == 5000
    assert not PayoutRequest.objects.exists()
