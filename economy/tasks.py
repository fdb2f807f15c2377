"""Ledger jobs run by Celery beat (schedules are editable in the admin)."""

import logging

from celery import shared_task

from economy.audit import audit_ledger
from economy.services import ledger
from halobuzz.core.services import alert_staff

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def roll_up_balances() -> None:
    """Fold appended entries into cached balances, so reads stay cheap."""
    ledger.roll_up_pending_balances()


@shared_task
def audit_ledger_nightly() -> bool:
    """Check every invariant; on a breach, log it and email staff. True when clean."""
    report = audit_ledger()
    text = report.as_text()
    if report.clean:
        logger.info("Ledger audit: %s", text.replace("\n", "; "))
        return True
    logger.error("Ledger audit found a breach:\n%s", text)
    alert_staff(subject="Ledger audit found a breach", body=text)
    return False
