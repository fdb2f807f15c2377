"""Shared by the provider adapter tests: recorded provider answers and payments
that never touch the database (adapters only read a payment's attributes)."""

import json
from pathlib import Path

from moneyed import Money

from economy.models import Payment

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


def unsaved_payment(*, amount: Money, coins: int = 1100, **fields) -> Payment:
    return Payment(provider="test", amount=amount, coins=coins, **fields)
