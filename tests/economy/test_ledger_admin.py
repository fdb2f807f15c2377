"""The console's ledger pages: read-only for everyone, corrections only as reasoned
adjustment transactions."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from economy.audit import audit_ledger
from economy.models import Account, LedgerTransaction
from economy.selectors.ledger import get_account_balance
from tests.console import sign_in_to_the_console
from tests.economy.ledger_helpers import grant, wallet_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    account = wallet_of(UserFactory(username="maya"))
    grant(account, 100)
    return account


def adjust_url(account) -> str:
    return reverse("admin:economy_account_adjust", args=[account.pk])


def adjust(client, account, **fields):
    form = client.get(adjust_url(account)).context["form"]
    data = {"idempotency_key": form.initial["idempotency_key"], **fields}
    return client.post(adjust_url(account), data), data


def balance(account) -> int:
    account.refresh_from_db()
    return get_account_balance(account=account)


def test_accounts_transactions_and_entries_cannot_be_added_edited_or_deleted(
    client, operator, wallet
):
    ledger_transaction = LedgerTransaction.objects.get()
    for model, pk in (
        ("account", wallet.pk),
        ("ledgertransaction", ledger_transaction.pk),
        ("ledgerentry", ledger_transaction.entries.first().pk),
    ):
        detail = client.get(reverse(f"admin:economy_{model}_change", args=[pk]))
        assert detail.status_code == 200
        assert 'name="_save"' not in detail.content.decode()
        assert client.get(reverse(f"admin:economy_{model}_add")).status_code == 403
        change_url = reverse(f"admin:economy_{model}_change", args=[pk])
        assert client.post(change_url, {}).status_code == 403
        assert client.post(reverse(f"admin:economy_{model}_delete", args=[pk])).status_code == 403
    assert balance(wallet) == 100


def test_the_account_page_shows_the_balance_and_links_to_an_adjustment(client, operator, wallet):
    page = client.get(reverse("admin:economy_account_change", args=[wallet.pk])).content.decode()

    assert "maya" in page
    assert adjust_url(wallet) in page


def test_an_adjustment_posts_a_reasoned_transaction_signed_by_the_operator(
    client, operator, wallet
):
    response, _ = adjust(client, wallet, amount="-30", reason="Duplicate grant, ticket #812")

    assert response.status_code == 302
    adjustment = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.ADJUSTMENT)
    assert adjustment.created_by == operator
    assert adjustment.memo == "Duplicate grant, ticket #812"
    assert balance(wallet) == 70
    corrections = Account.objects.get(kind=Account.Kind.CORRECTIONS, asset=wallet.asset)
    assert balance(corrections) == 30
    assert any("#" in str(message) for message in get_messages(response.wsgi_request))
    assert audit_ledger().clean


def test_submitting_the_same_adjustment_form_twice_posts_once(client, operator, wallet):
    first, data = adjust(client, wallet, amount="25", reason="Goodwill credit, ticket #9")
    again = client.post(adjust_url(wallet), data)

    assert first.status_code == again.status_code == 302

    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.ADJUSTMENT).count() == 1
    assert balance(wallet) == 125


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"amount": "10", "reason": "oops"}, "at least 10 characters"),
        ({"amount": "0", "reason": "Nothing to move at all"}, "non-zero"),
        ({"amount": "ten", "reason": "Not a number, ticket #1"}, "whole number"),
        ({"amount": "-101", "reason": "Takes more than there is"}, "below zero: it holds 100"),
    ],
    ids=["short reason", "zero", "not a number", "below zero"],
)
def test_a_bad_adjustment_shows_why_and_moves_nothing(client, operator, wallet, fields, error):
    response, _ = adjust(client, wallet, **fields)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.ADJUSTMENT).exists()
    assert balance(wallet) == 100


def test_staff_without_the_permission_cannot_adjust(client, wallet):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_account"))
    sign_in_to_the_console(client, viewer)

    assert client.get(adjust_url(wallet)).status_code == 403
    assert client.post(adjust_url(wallet), {"amount": "5", "reason": "x" * 20}).status_code == 403
    assert balance(wallet) == 100
