from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from halobuzz.users.mfa import current_totp_code, get_totp_secret
from halobuzz.users.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo account (only with DEBUG on)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="admin")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp_code is for development only (DEBUG is off).")
        user = User.objects.filter(username=username).first()
        secret = get_totp_secret(user=user) if user else None
        if secret is None:
            raise CommandError(f"@{username} has no authenticator app set up.")
        self.stdout.write(current_totp_code(secret))
