"""Signing staff in to the admin console in tests."""

from halobuzz.users.mfa import ensure_totp


def sign_in_to_the_console(client, member):
    """Staff pass the console's two-factor gate once they have an authenticator."""
    ensure_totp(user=member)
    client.force_login(member)
    return member
