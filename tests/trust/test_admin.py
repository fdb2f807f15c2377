"""The console's trust pages: the read-only moderation log, blocked terms, site bans,
and the members page's "Ban site-wide" action."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from halobuzz.users.mfa import ensure_totp
from streams.models import ChatMessage
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.trust.factories import BlockedTermFactory, SiteBanFactory, staff_with_permissions
from trust import selectors, services
from trust.models import BlockedTerm, ModerationAction, SiteBan

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    """A superuser signed in past the console's two-factor gate."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    ensure_totp(user=staff)
    client.force_login(staff)
    return staff


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def log_entries(operator) -> list[ModerationAction]:
    """A few log entries: a chat deletion, a site ban, and an AutoMod rejection."""
    stream = LiveStreamFactory(host=UserFactory(username="hostess", is_creator=True))
    spammer = UserFactory(username="spammer")
    message = ChatMessage.objects.create(
        stream=stream, author=spammer, body="cheap followers at example dot com"
    )
    return [
        services.record_moderation_action(
            kind=ModerationAction.Kind.DELETE_MESSAGE,
            actor=stream.host,
            target_user=spammer,
            chat_message=message,
            reason="advertising",
        ),
        services.record_moderation_action(
            kind=ModerationAction.Kind.SITE_BAN,
            actor=operator,
            target_user=UserFactory(username="troll"),
            reason="harassment",
        ),
        services.record_moderation_action(
            kind=ModerationAction.Kind.AUTOMOD_REJECT,
            target_user=spammer,
            stream=stream,
            reason="term_list:pt",
        ),
    ]


# --- The moderation log --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected_reasons"),
    [
        ("followers at example", {"advertising"}),  # the message's text
        ("troll", {"harassment"}),  # target username
        ("hostess", {"advertising", "term_list:pt"}),  # channel (and actor) username
        ("harass", {"harassment"}),  # reason
        ("nobody-at-all", set()),
    ],
)
def test_the_log_searches_usernames_reasons_and_message_text(
    client, operator, query, expected_reasons
):
    log_entries(operator)
    response = client.get(reverse("admin:trust_moderationaction_changelist"), {"q": query})
    assert response.status_code == 200
    shown = {action.reason for action in response.context["cl"].result_list}
    assert shown == expected_reasons


def test_the_log_filters_by_kind(client, operator):
    log_entries(operator)
    response = client.get(
        reverse("admin:trust_moderationaction_changelist"), {"kind__exact": "site_ban"}
    )
    assert [action.kind for action in response.context["cl"].result_list] == ["site_ban"]


def test_the_log_list_query_count_does_not_grow_with_rows(client, operator):
    log_entries(operator)
    url = reverse("admin:trust_moderationaction_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        services.record_moderation_action(
            kind=ModerationAction.Kind.TIMEOUT,
            actor=UserFactory(),
            target_user=UserFactory(),
            stream=LiveStreamFactory(),
        )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_the_log_is_read_only_even_for_superusers(client, operator):
    action = log_entries(operator)[0]
    changelist = page(client, reverse("admin:trust_moderationaction_changelist"))
    assert reverse("admin:trust_moderationaction_add") not in changelist

    detail = page(client, reverse("admin:trust_moderationaction_change", args=[action.pk]))
    assert "cheap followers at example dot com" in detail
    assert 'name="_save"' not in detail

    response = client.post(
        reverse("admin:trust_moderationaction_change", args=[action.pk]),
        {"reason": "edited"},
    )
    assert response.status_code == 403
    response = client.post(reverse("admin:trust_moderationaction_delete", args=[action.pk]))
    assert response.status_code == 403
    response = client.post(
        reverse("admin:trust_moderationaction_changelist"),
        {"action": "delete_selected", "_selected_action": [action.pk], "post": "yes"},
    )
    assert ModerationAction.objects.filter(pk=action.pk, reason="advertising").exists()
    assert client.get(reverse("admin:trust_moderationaction_add")).status_code == 403


# --- Blocked terms -------------------------------------------------------------------------


def test_adding_a_term_in_the_console_fills_its_normalized_form(client, operator):
    response = client.post(reverse("admin:trust_blockedterm_add"), {"term": "Sh1iiit"})

    assert response.status_code == 302, response.content.decode()[:3000]
    blocked = BlockedTerm.objects.get()
    assert (blocked.term, blocked.normalized, blocked.channel) == ("Sh1iiit", "shit", None)
    assert blocked.created_by == operator
    assert selectors.list_blocked_terms() == ["shit"]


def test_a_channel_term_is_added_in_the_console(client, operator, creator):
    response = client.post(
        reverse("admin:trust_blockedterm_add"), {"term": "spoiler", "channel": creator.pk}
    )
    assert response.status_code == 302
    assert BlockedTerm.objects.get().channel == creator


def test_a_duplicate_term_shows_on_the_form(client, operator):
    BlockedTermFactory(term="fuck")

    response = client.post(reverse("admin:trust_blockedterm_add"), {"term": "FUUUCK"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["term"] == ["“FUUUCK” is already blocked."]
    assert BlockedTerm.objects.count() == 1


def test_the_normalized_form_is_shown_read_only(client, operator):
    blocked = BlockedTermFactory(term="Fuuck")
    detail = page(client, reverse("admin:trust_blockedterm_change", args=[blocked.pk]))
    assert "fuck" in detail
    assert 'name="normalized"' not in detail


def test_deleting_terms_in_the_console_goes_through_the_service(
    client, operator, creator, django_capture_on_commit_callbacks
):
    terms = [BlockedTermFactory(term="one"), BlockedTermFactory(term="two", channel=creator)]
    assert selectors.list_blocked_terms(channel=creator) == ["one", "two"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:trust_blockedterm_changelist"),
            {"action": "delete_selected", "_selected_action": [t.pk for t in terms], "post": "yes"},
        )

    assert response.status_code == 302
    assert not BlockedTerm.objects.exists()
    assert selectors.list_blocked_terms(channel=creator) == []


# --- Site bans -----------------------------------------------------------------------------


def test_a_ban_made_on_the_bans_page_is_logged(client, operator, user):
    response = client.post(
        reverse("admin:trust_siteban_add"), {"user": user.pk, "reason": "Spam", "expires_at": ""}
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    site_ban = SiteBan.objects.get()
    assert (site_ban.user, site_ban.created_by, site_ban.expires_at) == (user, operator, None)
    assert ModerationAction.objects.get().kind == ModerationAction.Kind.SITE_BAN


def test_a_ban_on_an_already_banned_member_shows_on_the_form(client, operator, user):
    SiteBanFactory(user=user)

    response = client.post(
        reverse("admin:trust_siteban_add"), {"user": user.pk, "reason": "Spam", "expires_at": ""}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]
    assert SiteBan.objects.count() == 1


def test_lifting_selected_bans(client, operator):
    active = SiteBanFactory()
    expired = SiteBanFactory(expires_at=timezone.now() - timedelta(days=1))

    response = client.post(
        reverse("admin:trust_siteban_changelist"),
        {"action": "lift_selected_bans", "_selected_action": [active.pk, expired.pk]},
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Lifted 1 ban."]
    active.refresh_from_db()
    assert active.lifted_by == operator
    assert not selectors.is_banned_sitewide(user=active.user)
    assert ModerationAction.objects.get().kind == ModerationAction.Kind.SITE_UNBAN


def test_bans_are_not_edited_or_deleted_on_their_page(client, operator):
    site_ban = SiteBanFactory()
    detail = page(client, reverse("admin:trust_siteban_change", args=[site_ban.pk]))
    assert 'name="_save"' not in detail
    assert client.post(reverse("admin:trust_siteban_delete", args=[site_ban.pk])).status_code == 403
    assert SiteBan.objects.filter(pk=site_ban.pk).exists()


def test_deleting_a_member_still_deletes_their_bans(client, operator, user):
    SiteBanFactory(user=user)
    response = client.post(reverse("admin:users_user_delete", args=[user.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not SiteBan.objects.exists()


# --- "Ban site-wide" on the members page ---------------------------------------------------


def test_ban_site_wide_asks_for_a_reason_first(client, operator):
    members = [UserFactory(username="noisy"), UserFactory(username="rude")]

    response = client.post(
        reverse("admin:users_user_changelist"),
        {"action": "ban_site_wide", "_selected_action": [member.pk for member in members]},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "noisy" in content and "rude" in content
    assert 'name="reason"' in content
    assert not SiteBan.objects.exists()


def test_ban_site_wide_with_a_reason_bans_and_logs_each_member(client, operator):
    members = [UserFactory(), UserFactory()]

    response = client.post(
        reverse("admin:users_user_changelist"),
        {
            "action": "ban_site_wide",
            "_selected_action": [member.pk for member in members],
            "reason": "Raid from another site",
            "duration": "7d",
            "confirm": "Ban site-wide",
        },
    )

    assert response.status_code == 302
    assert messages_of(response) == ["Banned 2 members site-wide."]
    for member in members:
        site_ban = selectors.get_active_site_ban(user=member)
        assert site_ban.reason == "Raid from another site"
        assert site_ban.created_by == operator
        expected_end = timezone.now() + timedelta(days=7)
        assert abs(site_ban.expires_at - expected_end) < timedelta(minutes=1)
    logged = ModerationAction.objects.filter(kind=ModerationAction.Kind.SITE_BAN)
    assert {action.target_user for action in logged} == set(members)
    assert {action.actor for action in logged} == {operator}


def test_ban_site_wide_without_a_reason_shows_the_page_again(client, operator, user):
    response = client.post(
        reverse("admin:users_user_changelist"),
        {
            "action": "ban_site_wide",
            "_selected_action": [user.pk],
            "reason": "",
            "duration": "permanent",
            "confirm": "Ban site-wide",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not SiteBan.objects.exists()


def test_ban_site_wide_reports_members_it_could_not_ban(client, operator, user):
    SiteBanFactory(user=user)
    fresh = UserFactory()

    response = client.post(
        reverse("admin:users_user_changelist"),
        {
            "action": "ban_site_wide",
            "_selected_action": [user.pk, fresh.pk, operator.pk],
            "reason": "Spam",
            "duration": "permanent",
            "confirm": "Ban site-wide",
        },
    )

    assert response.status_code == 302
    reported = messages_of(response)
    assert reported[0] == "Banned 1 member site-wide."
    assert any("already banned" in message for message in reported)
    assert any("cannot ban yourself" in message for message in reported)
    assert SiteBan.objects.count() == 2


def test_the_ban_action_is_offered_only_to_staff_who_may_ban(client, operator):
    assert "ban_site_wide" in page(client, reverse("admin:users_user_changelist"))

    viewer = staff_with_permissions()
    viewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="users", codename__in=["view_user", "change_user"]
        )
    )
    ensure_totp(user=viewer)
    client.force_login(viewer)

    assert "ban_site_wide" not in page(client, reverse("admin:users_user_changelist"))


def test_a_members_page_lists_their_bans(client, operator, user):
    SiteBanFactory(user=user, reason="Old spam", lifted_at=timezone.now())
    content = page(client, reverse("admin:users_user_change", args=[user.pk]))
    assert "Old spam" in content
    assert "Lifted" in content
