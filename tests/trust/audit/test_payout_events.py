"""A withdrawal request lands in the creator's security log, in its transaction."""

import secrets

import pytest
from django.core.cache import cache
from django.urls import reverse

from economy.exceptions import InsufficientFunds
from economy.models import Account, Asset, LedgerTransaction
from economy.services import ledger
from economy.services import payouts as payout_services
from halobuzz.users.mfa import current_totp_code, ensure_totp
from tests.factories import UserFactory
from tests.trust.audit.conftest import MEMBER_IP
from trust.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator():
    user = UserFactory(is_creator=True, is_kyc_verified=True, preferred_currency="NPR")
    user.totp_secret = ensure_totp(user=user)
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


def withdraw(creator, method, *, diamonds=2000, key="k1"):
    cache.clear()  # each code works once; let the test reuse this window's code
    return payout_services.request_payout(
        creator=creator,
        diamonds=diamonds,
        method_id=method.pk,
        mfa_code=current_totp_code(creator.totp_secret),
        idempotency_key=key,
    )


def test_a_payout_request_writes_one_event(creator, esewa):
    payout = withdraw(creator, esewa)
    withdraw(creator, esewa)  # a double click: the same request

    event = AuditEvent.objects.get(user=creator, kind=AuditEvent.Kind.PAYOUT_REQUESTED)
    assert event.actor == creator
    assert event.details == {
        "payout_id": payout.pk,
        "diamonds": 2000,
        "amount": "2680.00",
        "currency": "NPR",
        "method": str(esewa),
    }
    assert esewa.account not in str(event.details)


def test_a_refused_request_writes_no_event(creator, esewa):
    with pytest.raises(InsufficientFunds):
        withdraw(creator, esewa, diamonds=999_999)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PAYOUT_REQUESTED).exists()


def test_a_request_from_the_earnings_page_records_where_it_came_from(phone_client, creator, esewa):
    phone_client.force_login(creator)

    response = phone_client.post(
        reverse("economy:earnings"),
        {
            "action": "withdraw",
            "diamonds": 2000,
            "method": esewa.pk,
            "mfa_code": current_totp_code(creator.totp_secret),
            "idempotency_key": "page-1",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(user=creator, kind=AuditEvent.Kind.PAYOUT_REQUESTED)
    assert event.ip_address == MEMBER_IP
    page = phone_client.get(reverse("audit:security-log")).content.decode()
    assert "Withdrawal requested" in page and "2,000 diamonds to eSewa" in page
