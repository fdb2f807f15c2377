"""Payment providers: each one adapter behind `PaymentProvider` (base.py). The
payment's life and the coins it credits are economy.services.payments' business;
an adapter only speaks its provider's HTTP and checks its signatures."""
