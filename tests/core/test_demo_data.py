import pytest
from allauth.mfa.models import Authenticator

from economy.audit import audit_ledger
from economy.models import Account
from economy.selectors.ledger import get_user_balance
from halobuzz.core.demo import CREATORS, DEMO_WELCOME_COINS, FOLLOWS, VIEWERS, seed_demo
from halobuzz.users.models import Follow, User

pytestmark = pytest.mark.django_db


def test_seeding_twice_gives_the_same_demo_world():
    first = seed_demo()
    second = seed_demo()

    assert first.admin_totp_secret == second.admin_totp_secret
    assert User.objects.count() == 1 + len(CREATORS) + len(VIEWERS)
    assert Follow.objects.count() == sum(len(names) for names in FOLLOWS.values())
    admin = User.objects.get(username="admin")
    assert admin.is_staff and Authenticator.objects.filter(user=admin, type="totp").exists()
    creators = set(User.objects.filter(is_creator=True).values_list("username", flat=True))
    assert creators == {person.username for person in CREATORS}
    assert all(user.avatar and user.bio for user in User.objects.exclude(username="admin"))
    assert {login.role for login in second.logins} == {"admin", "creator", "viewer"}


def test_demo_viewers_start_with_welcome_coins_once():
    seed_demo()
    seed_demo()

    viewer = User.objects.get(username=VIEWERS[0].username)
    assert get_user_balance(user=viewer, kind=Account.Kind.USER_COINS) == DEMO_WELCOME_COINS
    assert audit_ledger().clean
