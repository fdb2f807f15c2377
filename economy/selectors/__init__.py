"""Reads for the coin economy: balances derived from the ledger, histories, catalogs."""
