"""Discovery pages: the Live home page, category pages and the streams on a profile."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from streams.models import Recording, Stream, StreamReminder
from streams.services.keys import get_or_create_stream_key, reveal_stream_key
from tests.factories import FollowFactory, UserFactory
from tests.streams.factories import (
    EndedStreamFactory,
    LiveStreamFactory,
    StreamFactory,
    category,
)

pytestmark = pytest.mark.django_db


def page_of(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def scheduled(**kwargs) -> Stream:
    kwargs.setdefault("scheduled_start", timezone.now() + timedelta(hours=3))
    return StreamFactory(**kwargs)


# --- The Live grid ------------------------------------------------------------------


def test_live_streams_are_listed_most_watched_first_with_title_host_and_viewers(client):
    quiet = LiveStreamFactory(title="Quiet morning ragas", current_viewers=3)
    busy = LiveStreamFactory(
        title="Dashain countdown party",
        current_viewers=1250,
        host=UserFactory(username="dj_lucas", display_name="DJ Lucas", is_creator=True),
    )
    page = page_of(client, reverse("home"))
    assert page.index(busy.title) < page.index(quiet.title)
    assert "DJ Lucas" in page
    assert "1,250 viewers" in page
    assert "3 viewers" in page
    assert busy.get_absolute_url() in page
    assert "No one is live right now" not in page


def test_a_card_shows_live_or_reconnecting_category_language_and_a_placeholder(client):
    LiveStreamFactory(title="Gaming night", category=category("gaming"), language="pt")
    LiveStreamFactory(title="Dropped feed", status=Stream.Status.INTERRUPTED)
    page = page_of(client, reverse("home"))
    assert "LIVE" in page
    assert "Reconnecting" in page
    assert "Gaming" in page and reverse("streams:category", args=["gaming"]) in page
    assert "Português" in page
    assert "🎮" in page  # no thumbnail yet: the category icon stands in


def test_scheduled_and_ended_streams_are_not_in_the_live_grid(client):
    scheduled(title="Later tonight")
    EndedStreamFactory(title="Yesterday's show")
    page = page_of(client, reverse("home"))
    assert "No one is live right now" in page
    assert "Yesterday&#x27;s show" not in page


def test_the_empty_state_offers_go_live(client):
    page = page_of(client, reverse("home"))
    assert "No one is live right now" in page
    assert reverse("streams:studio") in page


@pytest.mark.parametrize(
    ("params", "expected", "left_out"),
    [
        ({"category": "gaming"}, "Ranked climb", "Sitar practice"),
        ({"language": "ne"}, "Sitar practice", "Ranked climb"),
        ({"country": "BR"}, "Ranked climb", "Sitar practice"),
        ({"q": "sitar"}, "Sitar practice", "Ranked climb"),
        ({"q": "rohan"}, "Ranked climb", "Sitar practice"),
        ({"q": "ranked"}, "Ranked climb", "Sitar practice"),
        ({"q": "classical"}, "Sitar practice", "Ranked climb"),
    ],
)
def test_filters_and_search_narrow_the_grid(client, params, expected, left_out):
    LiveStreamFactory(
        title="Sitar practice",
        category=category("music"),
        language="ne",
        tags=["classical"],
        host=UserFactory(username="aasha_sings", country="NP", is_creator=True),
    )
    LiveStreamFactory(
        title="Ranked climb",
        category=category("gaming"),
        language="en",
        tags=["fps"],
        host=UserFactory(username="rohan_plays", country="BR", is_creator=True),
    )
    page = page_of(client, reverse("home"), **params)
    assert expected in page
    assert left_out not in page


def test_a_search_with_no_match_says_so_and_offers_to_clear(client):
    LiveStreamFactory(title="Sitar practice")
    page = page_of(client, reverse("home"), q="nothing like this")
    assert "No live streams match" in page
    assert "Clear the filters" in page


def test_the_filter_form_works_without_javascript_and_keeps_the_choices(client):
    page = page_of(client, reverse("home"), language="ne", q="sitar")
    assert 'method="get"' in page
    assert 'value="sitar"' in page
    assert '<option value="ne" lang="ne" selected>' in page


def test_unknown_filter_values_are_ignored(client):
    LiveStreamFactory(title="Sitar practice")
    page = page_of(client, reverse("home"), language="xx", country="ZZ")
    assert "Sitar practice" in page


def test_the_htmx_filter_form_gets_only_the_results(client):
    LiveStreamFactory(title="Sitar practice", language="ne")
    LiveStreamFactory(title="Ranked climb", language="en")
    response = client.get(
        reverse("home"), {"language": "ne"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="live-results"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="live-results"')
    assert "Sitar practice" in page and "Ranked climb" not in page
    assert "<html" not in page


def test_the_live_grid_is_paginated_by_24_and_pages_keep_the_filters(client):
    for viewers in range(30):
        LiveStreamFactory(title=f"Stream number {viewers:02d}", current_viewers=viewers)
    first = page_of(client, reverse("home"), language="en")
    assert "Stream number 29" in first and "Stream number 06" in first
    assert "Stream number 05" not in first
    assert "Page 1 of 2" in first
    assert "?language=en&amp;page=2" in first
    second = page_of(client, reverse("home"), language="en", page=2)
    assert "Stream number 05" in second and "Stream number 00" in second
    assert "Stream number 06" not in second


def test_the_categories_strip_links_to_category_pages(client):
    page = page_of(client, reverse("home"))
    assert reverse("streams:category", args=["dashain-tihar"]) in page
    assert "Dashain &amp; Tihar" in page


# --- Following and upcoming ---------------------------------------------------------


def test_the_following_row_shows_only_hosts_the_viewer_follows(client, user):
    followed = LiveStreamFactory(title="From a friend")
    LiveStreamFactory(title="From a stranger")
    FollowFactory(follower=user, followee=followed.host)
    client.force_login(user)
    page = page_of(client, reverse("home"))
    following_row = page.split('id="following-heading"')[1].split("</section>")[0]
    assert "From a friend" in following_row
    assert "From a stranger" not in following_row


def test_visitors_and_people_who_follow_no_one_live_see_no_following_row(client, user):
    LiveStreamFactory(title="From a stranger")
    assert 'id="following-heading"' not in page_of(client, reverse("home"))
    client.force_login(user)
    assert 'id="following-heading"' not in page_of(client, reverse("home"))


def test_upcoming_shows_scheduled_streams_soonest_first_with_their_start_time(client):
    later = scheduled(title="Late show", scheduled_start=timezone.now() + timedelta(days=2))
    sooner = scheduled(title="Early show", scheduled_start=timezone.now() + timedelta(hours=1))
    StreamFactory(title="Past schedule", scheduled_start=timezone.now() - timedelta(hours=1))
    page = page_of(client, reverse("home"))
    upcoming = page.split('id="upcoming-heading"')[1]
    assert upcoming.index(sooner.title) < upcoming.index(later.title)
    assert "Past schedule" not in upcoming
    assert f'datetime="{timezone.localtime(sooner.scheduled_start).isoformat()}"' in upcoming


def test_upcoming_times_are_shown_in_the_viewers_time_zone(client):
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    scheduled(title="Kathmandu evening", scheduled_start=start)
    client.force_login(UserFactory(time_zone="Asia/Kathmandu"))
    page = page_of(client, reverse("home"))
    assert "+05:45" in page


def test_visitors_are_asked_to_sign_in_for_a_reminder(client):
    scheduled(title="Later tonight")
    page = page_of(client, reverse("home"))
    assert "Sign in to get a reminder" in page
    assert reverse("account_login") in page


def test_remind_me_sets_and_cancels_a_reminder_and_swaps_the_button(client, user):
    stream = scheduled(title="Later tonight")
    client.force_login(user)
    page = page_of(client, reverse("home"))
    assert "Remind me" in page

    url = reverse("streams:reminder", args=[stream.pk])
    response = client.post(url, {"action": "set"}, HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert StreamReminder.objects.filter(user=user, stream=stream).exists()
    assert fragment.lstrip().startswith(f'<form id="reminder-{stream.pk}"')
    assert "Reminder set" in fragment and 'value="cancel"' in fragment
    assert "Reminder set" in page_of(client, reverse("home"))

    fragment = client.post(url, {"action": "cancel"}, HTTP_HX_REQUEST="true").content.decode()
    assert not StreamReminder.objects.filter(user=user, stream=stream).exists()
    assert "Remind me" in fragment and 'value="set"' in fragment


def test_remind_me_without_javascript_redirects_back_with_a_message(client, user):
    stream = scheduled()
    client.force_login(user)
    response = client.post(reverse("streams:reminder", args=[stream.pk]), follow=True)
    assert StreamReminder.objects.filter(user=user, stream=stream).exists()
    assert "We will tell you when this stream goes live." in response.content.decode()


def test_a_reminder_for_a_stream_that_started_explains_why_not(client, user):
    stream = LiveStreamFactory()
    client.force_login(user)
    fragment = client.post(
        reverse("streams:reminder", args=[stream.pk]), {"action": "set"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Reminders can only be set for streams that have not started." in fragment
    assert not StreamReminder.objects.exists()


def test_reminders_need_an_account(client):
    stream = scheduled()
    response = client.post(reverse("streams:reminder", args=[stream.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not StreamReminder.objects.exists()


def test_creators_to_follow_stay_below_when_there_is_room(client):
    UserFactory(username="aasha", is_creator=True)
    LiveStreamFactory(title="Only one live")
    page = page_of(client, reverse("home"))
    assert page.index("Only one live") < page.index("Creators to follow")


# --- Category pages -----------------------------------------------------------------


def test_a_category_page_lists_its_live_and_upcoming_streams(client):
    LiveStreamFactory(title="Ranked climb", category=category("gaming"))
    LiveStreamFactory(title="Sitar practice", category=category("music"))
    scheduled(title="Speedrun later", category=category("gaming"))
    scheduled(title="Concert later", category=category("music"))
    page = page_of(client, reverse("streams:category", args=["gaming"]))
    assert "<h1>Gaming</h1>" in page and "🎮" in page
    assert "Ranked climb" in page and "Speedrun later" in page
    assert "Sitar practice" not in page and "Concert later" not in page


def test_a_category_page_is_localized(client):
    client.post(reverse("set_language"), {"language": "pt-br"})
    page = page_of(client, reverse("streams:category", args=["gaming"]))
    assert "<h1>Games</h1>" in page


def test_a_category_page_filters_and_has_its_own_empty_state(client):
    LiveStreamFactory(title="Ranked climb", category=category("gaming"), language="en")
    page = page_of(client, reverse("streams:category", args=["gaming"]), language="ne")
    assert "Ranked climb" not in page and "No live streams match" in page
    page = page_of(client, reverse("streams:category", args=["cooking"]))
    assert "No one is live in Cooking right now" in page


def test_unknown_and_inactive_categories_are_404(client):
    assert client.get(reverse("streams:category", args=["no-such-thing"])).status_code == 404
    hidden = category("carnival")
    hidden.is_active = False
    hidden.save()
    assert client.get(reverse("streams:category", args=["carnival"])).status_code == 404


# --- Streams on a creator's profile -------------------------------------------------


def test_a_profile_links_to_the_creators_live_stream(client, creator):
    stream = LiveStreamFactory(host=creator, title="On air now")
    page = page_of(client, creator.get_absolute_url())
    assert "Live now" in page
    assert stream.get_absolute_url() in page


def test_a_profile_shows_upcoming_streams_with_remind_me(client, creator, user):
    scheduled(host=creator, title="Friday session")
    client.force_login(user)
    page = page_of(client, creator.get_absolute_url())
    assert "Upcoming" in page and "Friday session" in page and "Remind me" in page


def test_a_profile_lists_past_streams_and_marks_those_with_a_video(client, creator):
    with_video = EndedStreamFactory(host=creator, title="Recorded show")
    Recording.objects.create(
        stream=with_video,
        status=Recording.Status.READY,
        file=SimpleUploadedFile("show.mp4", b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        duration_seconds=3600,
    )
    EndedStreamFactory(host=creator, title="Unrecorded show")
    page = page_of(client, creator.get_absolute_url())
    past = page.split('id="past-streams-heading"')[1].split("</section>")[0]
    assert "Recorded show" in past and "Unrecorded show" in past
    assert past.count("Video") == 1
    assert with_video.get_absolute_url() in past


def test_a_profile_without_streams_says_so(client, creator):
    page = page_of(client, creator.get_absolute_url())
    assert "has not streamed yet" in page


# --- The stream key never leaks -----------------------------------------------------


def test_the_stream_key_never_appears_on_pages_other_people_see(client, creator, user):
    secret = reveal_stream_key(key=get_or_create_stream_key(creator=creator))
    assert secret
    live = LiveStreamFactory(host=creator, title="Keyed stream")
    client.force_login(user)
    for url in (reverse("home"), live.get_absolute_url(), creator.get_absolute_url()):
        assert secret not in page_of(client, url)


# --- Query counts -------------------------------------------------------------------


def make_busy_home(viewer=None) -> None:
    for index in range(30):
        stream = LiveStreamFactory(current_viewers=index)
        if viewer is not None and index % 3 == 0:
            FollowFactory(follower=viewer, followee=stream.host)
    for _ in range(8):
        scheduled()


def test_the_home_page_uses_a_fixed_number_of_queries_for_visitors(
    client, django_assert_max_num_queries
):
    make_busy_home()
    # live count + live page + the hosts' badges + categories + upcoming (a full page
    # leaves no room for creators).
    with django_assert_max_num_queries(5):
        page = page_of(client, reverse("home"))
    assert page.count('class="stream-card"') == 24


def test_the_home_page_uses_a_fixed_number_of_queries_when_signed_in(
    client, user, django_assert_max_num_queries
):
    make_busy_home(viewer=user)
    client.force_login(user)
    # session + user + the visitor's queries + following row + unread notifications
    # + the privacy notices (consent choice, scheduled deletion).
    with django_assert_max_num_queries(11):
        page = page_of(client, reverse("home"))
    assert page.count('class="stream-card"') == 24 + 10


def test_the_category_page_uses_a_fixed_number_of_queries(
    client, user, django_assert_max_num_queries
):
    for _ in range(30):
        LiveStreamFactory(category=category("gaming"))
    for _ in range(5):
        scheduled(category=category("gaming"))
    client.force_login(user)
    # (the hosts' badges and the privacy notices are part of every signed-in grid)
    with django_assert_max_num_queries(10):
        page_of(client, reverse("streams:category", args=["gaming"]))


def test_the_profile_page_uses_a_fixed_number_of_queries(
    client, creator, user, django_assert_max_num_queries
):
    LiveStreamFactory(host=creator)
    for _ in range(5):
        scheduled(host=creator)
    for _ in range(12):
        EndedStreamFactory(host=creator)
    client.force_login(user)
    # ... and the creator's OG membership, subscription offer, the viewer's
    # subscription, the creator's trust badges and the privacy notices.
    with django_assert_max_num_queries(15):
        page_of(client, creator.get_absolute_url())
