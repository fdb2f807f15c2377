"""Writes for the coin economy. The ledger functions here are the only code that
creates ledger rows; every money movement is one balanced transaction with an
idempotency key (docs/architecture.md)."""
