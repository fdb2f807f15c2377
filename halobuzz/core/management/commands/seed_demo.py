from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from halobuzz.core.demo import seed_demo
from halobuzz.users.mfa import current_totp_code


class Command(BaseCommand):
    help = "Create demo users, creators and follows (safe to run again) and print their logins."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo accounts have published passwords; never on a real site.
            raise CommandError("seed_demo creates accounts with known passwords: DEBUG must be on.")
        result = seed_demo()
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING("Demo logins (sign in with username or email)")
        )
        for login in result.logins:
            self.stdout.write(f"  {login.role:<8} {login.username:<12} {login.password}")
        self.stdout.write("")
        self.stdout.write(
            "  The admin has two-factor authentication on. Add this secret to an authenticator app:"
        )
        self.stdout.write(f"    TOTP secret: {result.admin_totp_secret}")
        if settings.DEBUG:
            self.stdout.write(
                f"    (code right now: {current_totp_code(result.admin_totp_secret)}; "
                "`.venv/bin/python manage.py demo_totp_code` prints a fresh one)"
            )
        self.stdout.write("")
