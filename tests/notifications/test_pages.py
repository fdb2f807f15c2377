"""The header bell and the notifications page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from halobuzz.notifications.context_processors import unread_notifications
from halobuzz.notifications.models import Notification
from halobuzz.notifications.services import notify_users
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify(user, *, title="aasha_sings is live", body="Sitar practice", url="/live/1/", key="k"):
    notify_users(
        recipients=[user],
        kind=Notification.Kind.STREAM_LIVE,
        title=title,
        body=body,
        url=url,
        dedupe_key=key,
    )


def test_the_bell_shows_how_many_notifications_are_unread(client, user):
    for index in range(3):
        notify(user, key=f"event-{index}")
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert reverse("notifications:list") in page
    assert '<span class="bell__count" aria-hidden="true">3</span>' in page
    assert "Notifications (3 unread)" in page


def test_the_bell_has_no_badge_when_everything_is_read(client, user):
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert reverse("notifications:list") in page
    assert "bell__count" not in page


def test_visitors_have_no_bell_and_it_costs_them_no_query(client, rf, django_assert_num_queries):
    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread_notifications(request) == {}
    assert reverse("notifications:list") not in client.get(reverse("home")).content.decode()


def test_the_count_is_read_once_and_only_when_shown(rf, user, django_assert_num_queries):
    notify(user)
    request = rf.get("/")
    request.user = user
    with django_assert_num_queries(0):
        context = unread_notifications(request)
    with django_assert_num_queries(1):
        assert context["unread_notification_count"]() == 1
        assert context["unread_notification_count"]() == 1


def test_the_page_lists_notifications_newest_first_and_marks_them_read(client, user):
    notify(user, title="First one", key="first")
    notify(user, title="Second one", body="Come and watch", url="/live/7/", key="second")
    client.force_login(user)

    page = client.get(reverse("notifications:list")).content.decode()
    assert page.index("Second one") < page.index("First one")
    assert "Come and watch" in page and 'href="/live/7/"' in page
    assert page.count("notification--unread") == 2  # shown as new this once
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()

    assert "bell__count" not in client.get(reverse("home")).content.decode()
    assert "notification--unread" not in client.get(reverse("notifications:list")).content.decode()


def test_people_see_only_their_own_notifications(client, user):
    notify(UserFactory(), title="Someone else's news")
    client.force_login(user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Someone else&#x27;s news" not in page
    assert "No notifications yet" in page
    assert reverse("home") in page


def test_the_notifications_page_needs_an_account(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_notifications_are_paginated_by_30(client, user):
    for index in range(35):
        notify(user, title=f"Notice {index:02d}", key=f"event-{index}")
    client.force_login(user)
    first = client.get(reverse("notifications:list")).content.decode()
    assert "Notice 34" in first and "Notice 05" in first and "Notice 04" not in first
    assert "Page 1 of 2" in first
    second = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert "Notice 04" in second and "Notice 00" in second


def test_the_notifications_page_uses_a_fixed_number_of_queries(
    client, user, django_assert_max_num_queries
):
    for index in range(40):
        notify(user, key=f"event-{index}")
    client.force_login(user)
    # session + user + count + page + mark read + the privacy notices (consent
    # choice, scheduled deletion).
    with django_assert_max_num_queries(7):
        client.get(reverse("notifications:list"))
