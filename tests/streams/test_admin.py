"""The console's live-video pages: lists, moderator actions, and secrets kept off the page."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from halobuzz.users.mfa import ensure_totp
from streams.models import Recording, Stream, StreamKey, ThumbnailFrame
from streams.services.keys import get_or_create_stream_key, reveal_stream_key
from streams.services.lifecycle import create_stream, go_live
from streams.services.publishing import (
    accept_rtmp_publish,
    check_rtmp_publisher,
    claim_browser_publisher,
)
from streams.services.viewers import record_viewer_heartbeat
from tests.factories import UserFactory
from tests.streams.factories import (
    EndedStreamFactory,
    LiveStreamFactory,
    StreamFactory,
    category,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    """A staff member signed in past the console's two-factor gate."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    ensure_totp(user=staff)
    client.force_login(staff)
    return staff


def run_action(client, model: str, action: str, objects) -> list[str]:
    response = client.post(
        reverse(f"admin:streams_{model}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objects]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return [str(message) for message in get_messages(response.wsgi_request)]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- Streams ------------------------------------------------------------------------


def test_the_stream_list_shows_live_streams_first(client, operator):
    EndedStreamFactory(title="Yesterday's jam")
    StreamFactory(title="Tomorrow's jam")
    LiveStreamFactory(title="Jam on air now", current_viewers=12, peak_viewers=30)

    content = page(client, reverse("admin:streams_stream_changelist"))

    on_air = content.index("Jam on air now")
    assert on_air < content.index("Tomorrow&#x27;s jam") < content.index("Yesterday&#x27;s jam")


def add_streaming_activity() -> None:
    """A host with a key, a live stream with a viewer, and an ended stream with a VOD."""
    live = LiveStreamFactory(category=category("gaming"))
    get_or_create_stream_key(creator=live.host)
    record_viewer_heartbeat(stream=live, viewer=UserFactory())
    ended = EndedStreamFactory(record=True)
    Recording.objects.create(stream=ended, status=Recording.Status.READY)


@pytest.mark.parametrize(
    "model", ["stream", "streamkey", "recording", "viewersession", "streamcategory"]
)
def test_each_list_costs_the_same_queries_however_many_rows(client, operator, model):
    url = reverse(f"admin:streams_{model}_changelist")
    add_streaming_activity()
    client.get(url)  # warm caches (content types, the session)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    for _ in range(5):
        add_streaming_activity()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]
    assert len(many) <= 12


def test_the_stream_list_shows_a_thumbnail_without_inline_styles(client, operator):
    stream = LiveStreamFactory()
    Stream.objects.filter(pk=stream.pk).update(thumbnail=f"thumbnails/{stream.public_id}.jpg")

    content = page(client, reverse("admin:streams_stream_changelist"))

    tag = content[content.index(f'src="/media/thumbnails/{stream.public_id}.jpg"') - 5 :]
    tag = tag[: tag.index(">") + 1]
    assert tag.startswith("<img") and 'width="80"' in tag and "style=" not in tag


def test_the_stream_list_can_be_searched_and_filtered(client, operator):
    LiveStreamFactory(title="Kathmandu rooftop set", language="ne")
    LiveStreamFactory(title="Lisbon fado night", language="pt")
    url = reverse("admin:streams_stream_changelist")

    searched = page(client, f"{url}?q=rooftop")
    assert "Kathmandu rooftop set" in searched and "Lisbon fado night" not in searched
    filtered = page(client, f"{url}?language__exact=pt")
    assert "Lisbon fado night" in filtered and "Kathmandu rooftop set" not in filtered


def test_the_stream_page_hides_which_publisher_holds_the_stream(client, operator, creator):
    stream = create_stream(host=creator, title="Phone")
    stream, token = claim_browser_publisher(stream_id=stream.pk, user=creator)
    key_hash = "a" * 64
    Stream.objects.filter(pk=stream.pk).update(ingest_key_hash=key_hash)
    Recording.objects.create(stream=stream)

    content = page(client, reverse("admin:streams_stream_change", args=[stream.pk]))

    assert token not in content
    assert key_hash not in content
    assert 'name="publisher_token"' not in content
    assert 'name="ingest_key_hash"' not in content
    assert 'name="status"' not in content
    assert "recent frames" in content.lower()


def test_the_stream_page_shows_recent_frames_and_the_recording(client, operator):
    stream = EndedStreamFactory(record=True)
    ThumbnailFrame.objects.create(
        stream=stream, image=f"frames/{stream.public_id}-1.jpg", captured_at=timezone.now()
    )
    Recording.objects.create(
        stream=stream,
        status=Recording.Status.READY,
        file=f"vods/{stream.public_id}.mp4",
        size_bytes=2_500_000,
        duration_seconds=754,
    )

    content = page(client, reverse("admin:streams_stream_change", args=[stream.pk]))

    assert f'<img src="/media/frames/{stream.public_id}-1.jpg"' in content
    assert f'href="/media/vods/{stream.public_id}.mp4"' in content
    assert "2.4\xa0MB" in content and "754" in content
    assert 'name="frames-0-DELETE"' not in content
    assert 'name="recording-0-status"' not in content


def test_editing_a_stream_in_the_console_goes_through_the_same_rules(client, operator, creator):
    stream = go_live(
        stream=create_stream(host=creator, title="Before", tags=["old"]),
        ingest=Stream.Ingest.BROWSER,
        publisher_token="token",
    )
    url = reverse("admin:streams_stream_change", args=[stream.pk])
    form = {
        "title": "After",
        "description": "",
        "category": category("music").pk,
        "language": "en",
        "tags": '["#New"]',
        "scheduled_start_0": "",
        "scheduled_start_1": "",
        "frames-TOTAL_FORMS": "0",
        "frames-INITIAL_FORMS": "0",
        "recording-TOTAL_FORMS": "0",
        "recording-INITIAL_FORMS": "0",
    }

    response = client.post(url, form)

    assert response.status_code == 302, response.content.decode()[:3000]
    stream.refresh_from_db()
    assert (stream.title, stream.tags, stream.status) == ("After", ["new"], Stream.Status.LIVE)

    refused = client.post(url, {**form, "title": "Again", "record": "on"})

    assert refused.status_code == 302
    messages = [str(message) for message in get_messages(refused.wsgi_request)]
    assert any("only change before going live" in message for message in messages)
    stream.refresh_from_db()
    assert (stream.title, stream.record) == ("After", False)


def test_streams_cannot_be_added_or_deleted_in_the_console(client, operator):
    stream = LiveStreamFactory()

    assert client.get(reverse("admin:streams_stream_add")).status_code == 403
    assert client.get(reverse("admin:streams_stream_delete", args=[stream.pk])).status_code == 403


def test_ending_selected_streams_ends_them_as_a_moderator(client, operator):
    live = LiveStreamFactory()
    viewer = UserFactory()
    record_viewer_heartbeat(stream=live, viewer=viewer)
    already_ended = EndedStreamFactory()

    messages = run_action(client, "stream", "end_selected_streams", [live, already_ended])

    live.refresh_from_db()
    assert live.status == Stream.Status.ENDED
    assert live.end_reason == Stream.EndReason.MODERATOR
    assert live.viewer_sessions.get().left_at is not None
    already_ended.refresh_from_db()
    assert already_ended.end_reason == Stream.EndReason.HOST
    assert messages == ["Ended 1 stream."]


def test_disabling_the_hosts_keys_cuts_off_their_publisher(client, operator, creator):
    secret = reveal_stream_key(key=get_or_create_stream_key(creator=creator))
    live = accept_rtmp_publish(stream_key=secret)
    browser_host = UserFactory()
    browser_live, _token = claim_browser_publisher(
        stream_id=create_stream(host=browser_host, title="Phone").pk, user=browser_host
    )

    messages = run_action(client, "stream", "disable_hosts_stream_keys", [live, browser_live])

    for stream in (live, browser_live):
        stream.refresh_from_db()
        assert stream.status == Stream.Status.ENDED
        assert stream.end_reason == Stream.EndReason.MODERATOR
    for host in (creator, browser_host):
        key = StreamKey.objects.get(creator=host)
        assert key.is_disabled
        assert operator.username in key.disabled_reason
    assert check_rtmp_publisher(stream_key=secret) is False
    assert messages == ["Disabled 2 stream keys. Ended 2 live streams."]


def test_the_key_action_on_a_host_who_is_not_live_only_disables_the_key(client, operator):
    scheduled = StreamFactory()

    messages = run_action(client, "stream", "disable_hosts_stream_keys", [scheduled])

    assert messages == ["Disabled 1 stream key."]
    assert StreamKey.objects.get(creator=scheduled.host).is_disabled
    scheduled.refresh_from_db()
    assert scheduled.status == Stream.Status.SCHEDULED


def test_staff_without_the_change_permission_get_no_moderator_actions(client):
    viewer_only = UserFactory(is_staff=True)
    viewer_only.user_permissions.add(Permission.objects.get(codename="view_stream"))
    ensure_totp(user=viewer_only)
    client.force_login(viewer_only)
    stream = LiveStreamFactory()

    content = page(client, reverse("admin:streams_stream_changelist"))
    assert "end_selected_streams" not in content
    client.post(
        reverse("admin:streams_stream_changelist"),
        {"action": "end_selected_streams", "_selected_action": [stream.pk]},
    )

    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE


# --- Stream keys --------------------------------------------------------------------


def test_the_key_pages_never_show_the_key_or_its_hash(client, operator, creator):
    key = get_or_create_stream_key(creator=creator)
    secret = reveal_stream_key(key=key)

    for url in (
        reverse("admin:streams_streamkey_changelist"),
        reverse("admin:streams_streamkey_change", args=[key.pk]),
    ):
        content = page(client, url)
        assert secret not in content
        assert secret.removeprefix("hb_live_")[:8] not in content
        assert key.key_hash not in content
        assert key.sealed_key not in content
        assert key.sealed_key[:16] not in content
        assert f"••••{key.last_characters}" in content
        assert creator.username in content


def test_keys_cannot_be_added_changed_or_deleted_by_hand(client, operator, creator):
    key = get_or_create_stream_key(creator=creator)

    assert client.get(reverse("admin:streams_streamkey_add")).status_code == 403
    assert client.get(reverse("admin:streams_streamkey_delete", args=[key.pk])).status_code == 403
    response = client.post(
        reverse("admin:streams_streamkey_change", args=[key.pk]), {"disabled_reason": "x"}
    )
    assert response.status_code == 403


def test_disabling_keys_from_the_key_list(client, operator, creator):
    secret = reveal_stream_key(key=get_or_create_stream_key(creator=creator))
    live = accept_rtmp_publish(stream_key=secret)
    idle_key = get_or_create_stream_key(creator=UserFactory())

    messages = run_action(
        client, "streamkey", "disable_keys", [StreamKey.objects.get(creator=creator), idle_key]
    )

    assert messages == ["Disabled 2 stream keys. Ended 1 live stream."]
    assert StreamKey.objects.filter(disabled_at__isnull=False).count() == 2
    live.refresh_from_db()
    assert live.status == Stream.Status.ENDED


# --- Categories, recordings, viewer sessions ----------------------------------------


def test_the_category_form_shows_every_translation(client, operator):
    music = category("music")

    content = page(client, reverse("admin:streams_streamcategory_change", args=[music.pk]))

    for field in ("name", "name_ne", "name_hi", "name_pt_br", "icon", "region_focus", "position"):
        assert f'name="{field}"' in content
    assert "Translations" in content and "English name" in content


def test_categories_can_be_reordered_from_the_list(client, operator):
    content = page(client, reverse("admin:streams_streamcategory_changelist"))

    assert 'name="form-0-position"' in content
    assert 'name="form-0-is_active"' in content


def test_recordings_and_viewer_sessions_are_listed_read_only(client, operator):
    stream = EndedStreamFactory(title="Archived gig", record=True)
    Recording.objects.create(stream=stream, status=Recording.Status.READY, size_bytes=5_000_000)
    live = LiveStreamFactory(title="Busy room")
    record_viewer_heartbeat(stream=live, viewer=UserFactory(username="night_owl"))

    recordings = page(client, reverse("admin:streams_recording_changelist"))
    sessions = page(client, reverse("admin:streams_viewersession_changelist"))

    assert "Archived gig" in recordings and "4.8" in recordings
    assert "night_owl" in sessions and "Busy room" in sessions
    assert client.get(reverse("admin:streams_recording_add")).status_code == 403
    assert client.get(reverse("admin:streams_viewersession_add")).status_code == 403


def test_a_member_who_streamed_can_still_be_deleted_from_the_users_page(client, operator, creator):
    secret = reveal_stream_key(key=get_or_create_stream_key(creator=creator))
    create_stream(host=creator, title="Concert", record=True)
    live = accept_rtmp_publish(stream_key=secret)
    record_viewer_heartbeat(stream=live, anonymous_key="visitor")

    response = client.post(reverse("admin:users_user_delete", args=[creator.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Stream.objects.filter(pk=live.pk).exists()
    assert not StreamKey.objects.exists()
    assert not Recording.objects.exists()
