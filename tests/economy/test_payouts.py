"""Creators withdrawing diamonds: verified identity, two-factor code and a minimum;
diamonds reserved at once, retired when paid, returned when rejected."""

import csv
import io
import secrets

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from moneyed import Money

from economy.audit import audit_ledger
from economy.exceptions import InsufficientFunds
from economy.models import Account, Asset, LedgerTransaction, PayoutMethod, PayoutRequest
from economy.selectors.ledger import get_wallet_summary
from economy.services import ledger
from economy.services import payouts as payout_services
from halobuzz.users.mfa import current_totp_code, ensure_totp
from tests.factories import UserFactory
from tests.trust.verification.factories import VerificationFactory
from trust.verification.models import Verification

pytestmark = pytest.mark.django_db


def earn(creator, diamonds: int) -> None:
    ledger.post_transfer(
        kind=LedgerTransaction.Kind.GIFT,
        idempotency_key=f"earn:{secrets.token_hex(4)}",
        source=ledger.get_or_create_platform_account(
            kind=Account.Kind.DIAMOND_ISSUANCE, asset=Asset.DIAMONDS
        ),
        destination=ledger.get_or_create_user_account(
            user=creator, kind=Account.Kind.CREATOR_DIAMONDS
        ),
        amount=diamonds,
    )


def diamonds(user) -> int:
    return get_wallet_summary(user=user)["diamonds"]


@pytest.fixture
def creator():
    user = UserFactory(is_creator=True, is_kyc_verified=True, preferred_currency="NPR")
    user.totp_secret = ensure_totp(user=user)
    earn(user, 5000)
    return user


@pytest.fixture
def esewa(creator):
    return payout_services.add_payout_method(
        creator=creator, kind="esewa", holder_name="Asha Rai", account="9800000001", currency="NPR"
    )


def request(creator, method, amount=2000, *, code=None, key="k1"):
    # A code works once; several requests in one test share a 30 s window, so forget
    # the codes used (the cache), as the next window would.
    cache.clear()
    return payout_services.request_payout(
        creator=creator,
        diamonds=amount,
        method_id=method.pk,
        mfa_code=code if code is not None else current_totp_code(creator.totp_secret),
        idempotency_key=key,
    )


def staff():
    return UserFactory(is_staff=True)


def test_a_request_reserves_the_diamonds_at_the_published_rate(creator, esewa):
    payout = request(creator, esewa)

    assert payout.status == PayoutRequest.Status.REQUESTED
    assert payout.amount == Money("2680.00", "NPR")  # 2,000 diamonds at NPR 1.34
    assert diamonds(creator) == 3000
    assert audit_ledger().clean


def test_paying_retires_the_diamonds_and_rejecting_returns_them(creator, esewa):
    paid = request(creator, esewa, key="a")
    rejected = request(creator, esewa, key="b")
    reviewer = staff()

    payout_services.approve_payout(payout_id=paid.pk, staff_user=reviewer)
    payout_services.mark_payout_paid(payout_id=paid.pk, staff_user=reviewer, bank_reference="T1")
    payout_services.reject_payout(
        payout_id=rejected.pk, staff_user=reviewer, reason="Name does not match the ID"
    )

    paid.refresh_from_db()
    rejected.refresh_from_db()
    assert (paid.status, rejected.status) == ("paid", "rejected")
    assert diamonds(creator) == 3000  # 5,000 less 2,000 paid; the rejected 2,000 came back
    pending = ledger.get_or_create_platform_account(
        kind=Account.Kind.PAYOUTS_PENDING, asset=Asset.DIAMONDS
    )
    from economy.selectors.ledger import get_account_balance

    assert get_account_balance(account=pending) == 0
    assert audit_ledger().clean


def test_settling_twice_moves_nothing_twice(creator, esewa):
    payout = request(creator, esewa)
    reviewer = staff()
    payout_services.approve_payout(payout_id=payout.pk, staff_user=reviewer)
    payout_services.mark_payout_paid(payout_id=payout.pk, staff_user=reviewer)

    with pytest.raises(payout_services.PayoutError):
        payout_services.mark_payout_paid(payout_id=payout.pk, staff_user=reviewer)
    with pytest.raises(payout_services.PayoutError):
        payout_services.reject_payout(payout_id=payout.pk, staff_user=reviewer, reason="too late")
    assert diamonds(creator) == 3000


def test_repeating_a_request_key_withdraws_once(creator, esewa):
    first = request(creator, esewa, key="same")
    # A double click: the same code again, already used.
    again = payout_services.request_payout(
        creator=creator,
        diamonds=2000,
        method_id=esewa.pk,
        mfa_code=current_totp_code(creator.totp_secret),
        idempotency_key="same",
    )

    assert again.pk == first.pk
    assert diamonds(creator) == 3000


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"is_kyc_verified": False}, "identity_not_verified"),
        ({"diamonds": 999}, "below_minimum"),
        ({"mfa_code": ""}, "mfa_required"),
        ({"mfa_code": "000000"}, "mfa_invalid"),
    ],
)
def test_withdrawals_need_identity_two_factor_and_the_minimum(creator, esewa, change, code):
    if "is_kyc_verified" in change:
        creator.is_kyc_verified = False
    with pytest.raises(payout_services.PayoutError) as refused:
        payout_services.request_payout(
            creator=creator,
            diamonds=change.get("diamonds", 2000),
            method_id=esewa.pk,
            mfa_code=change.get("mfa_code", current_totp_code(creator.totp_secret)),
            idempotency_key="x",
        )
    assert refused.value.code == code
    assert diamonds(creator) == 5000


def test_a_creator_whose_identity_layer_is_verified_may_withdraw_without_the_staff_flag(
    creator, esewa
):
    creator.is_kyc_verified = False
    creator.save(update_fields=["is_kyc_verified"])
    with pytest.raises(payout_services.PayoutError) as refused:
        request(creator, esewa)
    assert refused.value.code == "identity_not_verified"

    VerificationFactory(
        user=creator,
        kind=Verification.Kind.IDENTITY,
        status=Verification.Status.VERIFIED,
        decided_at=timezone.now(),
    )
    payout = request(creator, esewa, key="k2")

    assert payout.status == PayoutRequest.Status.REQUESTED
    assert diamonds(creator) == 3000


def test_more_than_the_earnings_cannot_be_withdrawn(creator, esewa):
    with pytest.raises(InsufficientFunds):
        request(creator, esewa, amount=6000)
    assert diamonds(creator) == 5000


def test_wallet_methods_pay_in_rupees_and_banks_need_a_name(creator):
    with pytest.raises(payout_services.PayoutError):
        payout_services.add_payout_method(
            creator=creator, kind="khalti", holder_name="A", account="98", currency="USD"
        )
    with pytest.raises(payout_services.PayoutError):
        payout_services.add_payout_method(
            creator=creator, kind="bank", holder_name="A", account="PT50", currency="EUR"
        )


def test_the_earnings_page_shows_sources_and_takes_a_withdrawal(client, creator, esewa):
    client.force_login(creator)
    page = client.get(reverse("economy:earnings"))
    assert page.status_code == 200
    assert "5,000" in page.content.decode()

    response = client.post(
        reverse("economy:earnings"),
        {
            "action": "withdraw",
            "diamonds": 1500,
            "method": esewa.pk,
            "mfa_code": current_totp_code(creator.totp_secret),
            "idempotency_key": "form-1",
        },
        follow=True,
    )

    assert "Withdrawal of" in response.content.decode()
    assert diamonds(creator) == 3500


def test_a_wrong_code_on_the_page_is_a_field_error_and_nothing_moves(client, creator, esewa):
    client.force_login(creator)

    page = client.post(
        reverse("economy:earnings"),
        {
            "action": "withdraw",
            "diamonds": 1500,
            "method": esewa.pk,
            "mfa_code": "123456",
            "idempotency_key": "form-2",
        },
    )

    assert page.context["request_form"].errors["mfa_code"]
    assert diamonds(creator) == 5000


def test_a_payout_method_is_added_from_the_page(client, creator):
    client.force_login(creator)

    client.post(
        reverse("economy:earnings"),
        {
            "action": "add_method",
            "kind": "bank",
            "holder_name": "Asha Rai",
            "bank_name": "Nabil Bank",
            "account": "0123456789",
            "currency": "NPR",
        },
    )

    assert PayoutMethod.objects.get(creator=creator).bank_name == "Nabil Bank"


def test_staff_approve_export_pay_and_reject_in_the_admin(client, operator, creator, esewa):
    first = request(creator, esewa, key="1")
    second = request(creator, esewa, amount=1000, key="2")
    changelist = reverse("admin:economy_payoutrequest_changelist")

    client.post(changelist, {"action": "approve", "_selected_action": [first.pk, second.pk]})
    export = client.post(changelist, {"action": "export_csv", "_selected_action": [first.pk]})
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    client.post(changelist, {"action": "mark_paid", "_selected_action": [first.pk]})
    confirm = client.post(changelist, {"action": "reject", "_selected_action": [second.pk]})
    client.post(
        changelist,
        {
            "action": "reject",
            "apply": "1",
            "reason": "Account closed",
            "_selected_action": [second.pk],
        },
    )

    assert rows[0][0] == "request" and rows[1][3] == "Asha Rai" and rows[1][7] == "2680.00"
    assert "Account closed" not in confirm.content.decode()  # the form came first
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("paid", "rejected")
    assert second.rejection_reason == "Account closed"
    assert diamonds(creator) == 3000
    assert audit_ledger().clean
