import factory

from tests.factories import UserFactory
from trust.audit.models import AuditEvent

ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


class AuditEventFactory(factory.django.DjangoModelFactory):
    """A sign-in by the member from an Android phone; pass kind/actor/ip_address..."""

    class Meta:
        model = AuditEvent

    user = factory.SubFactory(UserFactory)
    actor = factory.SelfAttribute("user")
    kind = AuditEvent.Kind.LOGIN
    ip_address = factory.Sequence(lambda n: f"198.51.100.{n % 250 + 1}")
    user_agent = ANDROID_CHROME
