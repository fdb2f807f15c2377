"""Writes for the coin economy. `economy.services.ledger` is the only code that creates
ledger rows or changes a balance; every money movement is one balanced transaction
with an idempotency key (docs/architecture.md, "The ledger")."""
