import factory
from django.contrib.auth.models import Permission

from tests.factories import UserFactory
from trust.models import BlockedTerm, SiteBan
from trust.text import normalize


class BlockedTermFactory(factory.django.DjangoModelFactory):
    """A global blocked term; pass channel=... for a channel's own."""

    class Meta:
        model = BlockedTerm

    term = factory.Sequence(lambda n: f"badword{n}")
    normalized = factory.LazyAttribute(lambda blocked: normalize(blocked.term))
    channel = None


class SiteBanFactory(factory.django.DjangoModelFactory):
    """A ban in force until lifted; pass expires_at / lifted_at for other states."""

    class Meta:
        model = SiteBan

    user = factory.SubFactory(UserFactory)
    reason = "Spam"
    created_by = factory.SubFactory(UserFactory, is_staff=True)


def staff_with_permissions(*codenames: str):
    """A staff member holding these `trust` permissions (e.g. "add_siteban") and no others."""
    member = UserFactory(is_staff=True)
    member.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="trust", codename__in=codenames)
    )
    # A fresh instance: the permission cache of the old one is already filled.
    return type(member).objects.get(pk=member.pk)


def staff_in_role(role: str):
    """A staff member whose only permissions come from one of `trust.roles`' groups."""
    from django.contrib.auth.models import Group

    from trust.roles import sync_staff_roles

    sync_staff_roles()
    member = UserFactory(is_staff=True)
    member.groups.add(Group.objects.get(name=role))
    return type(member).objects.get(pk=member.pk)
