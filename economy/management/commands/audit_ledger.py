from django.core.management.base import BaseCommand, CommandError

from economy.audit import audit_ledger


class Command(BaseCommand):
    help = "Check every ledger invariant; exit non-zero with a report on any breach."

    def handle(self, *args, **options):
        report = audit_ledger()
        if not report.clean:
            raise CommandError(report.as_text())
        self.stdout.write(report.as_text())
