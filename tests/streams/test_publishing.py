"""Who may publish into a stream: OBS over RTMP (nginx-rtmp callbacks) and the browser."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from streams.exceptions import AlreadyLive, DailyStreamLimitReached, PublishRefused
from streams.keys import KEY_PREFIX, hash_stream_key
from streams.models import Recording, Stream
from streams.selectors import GO_LIVE_EARLY_WINDOW
from streams.services.keys import (
    disable_stream_key,
    get_or_create_stream_key,
    reveal_stream_key,
    rotate_stream_key,
)
from streams.services.lifecycle import (
    create_stream,
    end_stream,
    end_stream_as_moderator,
    go_live,
    interrupt_stream,
)
from streams.services.publishing import (
    accept_rtmp_publish,
    attach_rtmp_recording,
    check_rtmp_publisher,
    claim_browser_publisher,
    finish_rtmp_publish,
    interrupt_stalled_publishers,
    release_browser_publisher,
    touch_browser_publisher,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Freeze django.utils.timezone.now for services and auto_now fields alike."""
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def stream_key(creator) -> str:
    return reveal_stream_key(key=get_or_create_stream_key(creator=creator))


@pytest.fixture
def recordings_folder(settings):
    settings.RECORDINGS_ROOT.mkdir(parents=True, exist_ok=True)
    return settings.RECORDINGS_ROOT


# --- OBS: on_publish ----------------------------------------------------------------


def test_publishing_with_a_valid_key_starts_the_stream_prepared_in_the_studio(creator, stream_key):
    next_week = create_stream(
        host=creator, title="Next week", scheduled_start=timezone.now() + timedelta(days=7)
    )
    prepared = create_stream(host=creator, title="Right now")

    stream = accept_rtmp_publish(stream_key=stream_key)

    assert stream.pk == prepared.pk
    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE
    assert stream.ingest == Stream.Ingest.RTMP
    assert stream.ingest_key_hash == hash_stream_key(stream_key)
    next_week.refresh_from_db()
    assert next_week.status == Stream.Status.SCHEDULED


def test_publishing_a_few_minutes_early_starts_the_scheduled_stream(creator, stream_key):
    soon = timezone.now() + GO_LIVE_EARLY_WINDOW - timedelta(minutes=1)
    scheduled = create_stream(host=creator, title="Tonight", scheduled_start=soon)

    assert accept_rtmp_publish(stream_key=stream_key).pk == scheduled.pk


def test_publishing_long_before_a_scheduled_stream_leaves_it_for_later(creator, stream_key):
    later = timezone.now() + GO_LIVE_EARLY_WINDOW + timedelta(hours=2)
    scheduled = create_stream(host=creator, title="Tonight", scheduled_start=later)

    stream = accept_rtmp_publish(stream_key=stream_key)

    assert stream.pk != scheduled.pk
    scheduled.refresh_from_db()
    assert scheduled.status == Stream.Status.SCHEDULED


def test_publishing_without_a_prepared_stream_creates_one(creator, stream_key):
    stream = accept_rtmp_publish(stream_key=stream_key)

    assert stream.host == creator
    assert stream.status == Stream.Status.LIVE
    assert stream.ingest == Stream.Ingest.RTMP
    assert stream.title == f"{creator.display_name} is live"
    assert Stream.objects.filter(host=creator).count() == 1


def test_an_encoder_reconnecting_while_live_resumes_the_same_stream(creator, stream_key):
    first = accept_rtmp_publish(stream_key=stream_key)

    again = accept_rtmp_publish(stream_key=stream_key)

    assert again.pk == first.pk
    assert again.status == Stream.Status.LIVE
    assert again.started_at == first.started_at
    assert Stream.objects.filter(host=creator).count() == 1


def test_an_encoder_returning_to_an_interrupted_stream_resumes_it(creator, stream_key):
    stream = interrupt_stream(stream=accept_rtmp_publish(stream_key=stream_key))

    resumed = accept_rtmp_publish(stream_key=stream_key)

    assert resumed.pk == stream.pk
    assert resumed.status == Stream.Status.LIVE
    assert resumed.interrupted_at is None


def test_obs_cannot_publish_while_the_host_is_live_from_the_browser(creator, stream_key):
    browser_stream = create_stream(host=creator, title="From my phone")
    claim_browser_publisher(stream_id=browser_stream.pk, user=creator)

    with pytest.raises(AlreadyLive):
        accept_rtmp_publish(stream_key=stream_key)

    browser_stream.refresh_from_db()
    assert browser_stream.ingest == Stream.Ingest.BROWSER
    assert Stream.objects.filter(host=creator).count() == 1


def test_an_unknown_key_publishes_nothing(creator, stream_key):
    with pytest.raises(PublishRefused) as refused:
        accept_rtmp_publish(stream_key=KEY_PREFIX + "guessed")

    assert refused.value.code == "unknown_stream_key"
    assert not Stream.objects.exists()


def test_obs_publishing_obeys_the_daily_stream_limit(creator, stream_key, settings):
    settings.STREAMS_MAX_NEW_PER_DAY = 1
    end_stream(stream=create_stream(host=creator, title="Earlier"), reason="host")

    with pytest.raises(DailyStreamLimitReached):
        accept_rtmp_publish(stream_key=stream_key)


# --- OBS: on_update -----------------------------------------------------------------


def test_a_publisher_with_a_valid_key_may_keep_publishing(creator, stream_key, clock):
    stream = accept_rtmp_publish(stream_key=stream_key)
    clock.advance(seconds=10)

    assert check_rtmp_publisher(stream_key=stream_key) is True

    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE
    assert stream.last_ingest_at == clock.now


def test_rotating_the_key_cuts_the_publisher_off_and_ends_the_stream(creator, stream_key):
    stream = accept_rtmp_publish(stream_key=stream_key)

    rotate_stream_key(creator=creator)

    assert check_rtmp_publisher(stream_key=stream_key) is False
    stream.refresh_from_db()
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.KEY_REVOKED


def test_disabling_the_key_cuts_the_publisher_off(creator, stream_key):
    stream = accept_rtmp_publish(stream_key=stream_key)

    disable_stream_key(creator=creator, reason="Copyright strike")

    assert check_rtmp_publisher(stream_key=stream_key) is False
    stream.refresh_from_db()
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.MODERATOR


def test_deactivating_the_host_cuts_the_publisher_off(creator, stream_key):
    stream = accept_rtmp_publish(stream_key=stream_key)
    creator.is_active = False
    creator.save(update_fields=["is_active"])

    assert check_rtmp_publisher(stream_key=stream_key) is False
    stream.refresh_from_db()
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.MODERATOR


def test_a_stream_ended_by_a_moderator_cuts_the_publisher_off(creator, stream_key):
    stream = accept_rtmp_publish(stream_key=stream_key)

    end_stream_as_moderator(stream=stream)

    assert check_rtmp_publisher(stream_key=stream_key) is False
    stream.refresh_from_db()
    assert stream.end_reason == Stream.EndReason.MODERATOR


def test_an_update_for_an_interrupted_stream_puts_it_back_on_air(creator, stream_key):
    stream = interrupt_stream(stream=accept_rtmp_publish(stream_key=stream_key))

    assert check_rtmp_publisher(stream_key=stream_key) is True

    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE


def test_an_update_for_a_key_that_publishes_nothing_is_refused(creator, stream_key):
    assert check_rtmp_publisher(stream_key=stream_key) is False


# --- OBS: on_publish_done and on_record_done ----------------------------------------


def test_the_encoder_stopping_ends_the_stream(creator, stream_key):
    stream = accept_rtmp_publish(stream_key=stream_key)

    finished = finish_rtmp_publish(stream_key=stream_key)

    assert finished.pk == stream.pk
    assert finished.status == Stream.Status.ENDED
    assert finished.end_reason == Stream.EndReason.HOST
    assert finish_rtmp_publish(stream_key=stream_key) is None


def _recorded_stream(creator, stream_key) -> Stream:
    create_stream(host=creator, title="Concert", record=True)
    return accept_rtmp_publish(stream_key=stream_key)


def test_a_finished_recording_is_kept_for_the_vod(creator, stream_key, recordings_folder):
    stream = _recorded_stream(creator, stream_key)
    part = recordings_folder / f"{stream.public_id}-1.flv"
    part.write_bytes(b"FLV")

    recording = attach_rtmp_recording(public_id=stream.public_id, path=str(part))
    attach_rtmp_recording(public_id=stream.public_id, path=str(part))

    assert recording.source_paths == [str(part)]
    assert Recording.objects.get(stream=stream).source_paths == [str(part)]
    assert part.exists()


def test_a_recording_that_arrives_after_the_stream_ended_is_still_kept(
    creator, stream_key, recordings_folder, django_capture_on_commit_callbacks
):
    stream = _recorded_stream(creator, stream_key)
    with django_capture_on_commit_callbacks(execute=False):
        finish_rtmp_publish(stream_key=stream_key)  # the VOD task waits a few seconds
    part = recordings_folder / f"{stream.public_id}-2.flv"
    part.write_bytes(b"FLV")

    recording = attach_rtmp_recording(public_id=stream.public_id, path=str(part))

    assert recording.status == Recording.Status.PROCESSING
    assert recording.source_paths == [str(part)]


def test_the_recording_of_an_unrecorded_stream_is_deleted(creator, stream_key, recordings_folder):
    stream = accept_rtmp_publish(stream_key=stream_key)
    part = recordings_folder / f"{stream.public_id}-1.flv"
    part.write_bytes(b"FLV")

    assert attach_rtmp_recording(public_id=stream.public_id, path=str(part)) is None

    assert not part.exists()
    assert not Recording.objects.exists()


@pytest.mark.parametrize("where", ["elsewhere", "climbing out"])
def test_a_recording_path_outside_the_recordings_folder_is_ignored(
    creator, stream_key, recordings_folder, tmp_path, where
):
    stream = _recorded_stream(creator, stream_key)
    outside = tmp_path / "precious.flv"
    outside.write_bytes(b"do not delete")
    if where == "elsewhere":
        path = str(outside)
    else:
        path = f"{recordings_folder}/{os.path.relpath(outside, recordings_folder)}"
        assert ".." in path

    assert attach_rtmp_recording(public_id=stream.public_id, path=path) is None

    assert outside.exists()
    assert Recording.objects.get(stream=stream).source_paths == []


# --- Browser publishing -------------------------------------------------------------


def test_the_host_claims_their_stream_and_goes_live(creator):
    stream = create_stream(host=creator, title="Phone stream")

    live, token = claim_browser_publisher(stream_id=stream.pk, user=creator)

    assert live.status == Stream.Status.LIVE
    assert live.ingest == Stream.Ingest.BROWSER
    assert token and live.publisher_token == token


def test_nobody_else_can_publish_to_a_hosts_stream(creator, user):
    stream = create_stream(host=creator, title="Mine")

    with pytest.raises(PublishRefused) as refused:
        claim_browser_publisher(stream_id=stream.pk, user=user)

    assert refused.value.code == "not_stream_host"
    stream.refresh_from_db()
    assert stream.status == Stream.Status.SCHEDULED


def test_a_missing_stream_cannot_be_claimed(creator):
    with pytest.raises(PublishRefused) as refused:
        claim_browser_publisher(stream_id=987654, user=creator)

    assert refused.value.code == "not_stream_host"


def test_an_ended_stream_cannot_be_claimed(creator):
    stream = end_stream(stream=create_stream(host=creator, title="Over"), reason="host")

    with pytest.raises(PublishRefused) as refused:
        claim_browser_publisher(stream_id=stream.pk, user=creator)

    assert refused.value.code == "stream_ended"


def test_a_second_tab_cannot_take_over_while_the_first_is_publishing(creator, settings, clock):
    stream = create_stream(host=creator, title="Two tabs")
    _, first_token = claim_browser_publisher(stream_id=stream.pk, user=creator)
    clock.advance(seconds=settings.BROWSER_INGEST_STALL_SECONDS - 1)

    with pytest.raises(PublishRefused) as refused:
        claim_browser_publisher(stream_id=stream.pk, user=creator)

    assert refused.value.code == "already_publishing"
    assert touch_browser_publisher(stream_id=stream.pk, token=first_token) is True


def test_a_second_tab_can_take_over_once_the_first_went_quiet(creator, settings, clock):
    stream = create_stream(host=creator, title="Two tabs")
    _, first_token = claim_browser_publisher(stream_id=stream.pk, user=creator)
    clock.advance(seconds=settings.BROWSER_INGEST_STALL_SECONDS + 1)

    live, second_token = claim_browser_publisher(stream_id=stream.pk, user=creator)

    assert second_token != first_token
    assert live.publisher_token == second_token
    assert touch_browser_publisher(stream_id=stream.pk, token=first_token) is False
    assert touch_browser_publisher(stream_id=stream.pk, token=second_token) is True


def test_the_browser_cannot_take_over_a_stream_live_from_obs(creator, stream_key):
    stream = accept_rtmp_publish(stream_key=stream_key)

    with pytest.raises(PublishRefused) as refused:
        claim_browser_publisher(stream_id=stream.pk, user=creator)

    assert refused.value.code == "already_publishing"


def test_the_browser_cannot_go_live_while_another_stream_is_live(creator, stream_key):
    accept_rtmp_publish(stream_key=stream_key)
    other = create_stream(host=creator, title="Second")

    with pytest.raises(AlreadyLive):
        claim_browser_publisher(stream_id=other.pk, user=creator)


def test_check_ins_record_the_time_and_stop_once_the_stream_ended(creator, clock):
    stream = create_stream(host=creator, title="Check-ins")
    _, token = claim_browser_publisher(stream_id=stream.pk, user=creator)
    clock.advance(seconds=5)

    assert touch_browser_publisher(stream_id=stream.pk, token=token) is True
    stream.refresh_from_db()
    assert stream.last_ingest_at == clock.now

    end_stream_as_moderator(stream=stream)

    assert touch_browser_publisher(stream_id=stream.pk, token=token) is False


def test_a_deactivated_host_is_cut_off_at_the_next_check_in(creator):
    stream = create_stream(host=creator, title="Banned mid-stream")
    _, token = claim_browser_publisher(stream_id=stream.pk, user=creator)
    creator.is_active = False
    creator.save(update_fields=["is_active"])

    assert touch_browser_publisher(stream_id=stream.pk, token=token) is False


def test_stop_in_the_studio_ends_the_stream(creator):
    stream = create_stream(host=creator, title="Bye")
    _, token = claim_browser_publisher(stream_id=stream.pk, user=creator)

    released = release_browser_publisher(stream_id=stream.pk, token=token, stopped=True)

    assert released.status == Stream.Status.ENDED
    assert released.end_reason == Stream.EndReason.HOST


def test_a_dropped_socket_interrupts_the_stream_so_the_studio_can_reconnect(creator):
    stream = create_stream(host=creator, title="Flaky")
    _, token = claim_browser_publisher(stream_id=stream.pk, user=creator)

    released = release_browser_publisher(stream_id=stream.pk, token=token, stopped=False)

    assert released.status == Stream.Status.INTERRUPTED
    assert released.publisher_token == ""
    live, _ = claim_browser_publisher(stream_id=stream.pk, user=creator)
    assert live.status == Stream.Status.LIVE


def test_a_socket_that_lost_the_stream_cannot_release_it(creator, settings, clock):
    stream = create_stream(host=creator, title="Two tabs")
    _, old_token = claim_browser_publisher(stream_id=stream.pk, user=creator)
    clock.advance(seconds=settings.BROWSER_INGEST_STALL_SECONDS + 1)
    claim_browser_publisher(stream_id=stream.pk, user=creator)

    assert release_browser_publisher(stream_id=stream.pk, token=old_token, stopped=True) is None

    stream.refresh_from_db()
    assert stream.status == Stream.Status.LIVE


def test_publishers_that_stopped_checking_in_are_interrupted(creator, settings, stream_key):
    browser_host = UserFactory()
    browser_stream, _ = claim_browser_publisher(
        stream_id=create_stream(host=browser_host, title="Browser").pk, user=browser_host
    )
    rtmp_stream = accept_rtmp_publish(stream_key=stream_key)
    browser_quiet = timedelta(seconds=settings.BROWSER_INGEST_STALL_SECONDS * 2)
    rtmp_quiet = timedelta(seconds=settings.RTMP_UPDATE_INTERVAL_SECONDS * 3)
    first_check_in = min(browser_stream.last_ingest_at, rtmp_stream.last_ingest_at)
    last_check_in = max(browser_stream.last_ingest_at, rtmp_stream.last_ingest_at)
    just_in_time = first_check_in + min(browser_quiet, rtmp_quiet)
    too_late = last_check_in + max(browser_quiet, rtmp_quiet) + timedelta(seconds=1)

    assert interrupt_stalled_publishers(now=just_in_time) == 0
    assert interrupt_stalled_publishers(now=too_late) == 2

    for stream in (browser_stream, rtmp_stream):
        stream.refresh_from_db()
        assert stream.status == Stream.Status.INTERRUPTED


def test_a_publisher_checking_in_is_not_interrupted(creator, settings):
    stream = go_live(
        stream=create_stream(host=creator, title="Fine"),
        ingest=Stream.Ingest.BROWSER,
        publisher_token="token",
    )

    assert interrupt_stalled_publishers(now=stream.last_ingest_at + timedelta(seconds=1)) == 0
