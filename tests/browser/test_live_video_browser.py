"""Browser path: a creator goes live from the studio with Chromium's fake camera; a
viewer in another browser context watches; Stop ends it and leaves no ffmpeg behind."""

import shutil

import psutil
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from streams.models import Stream
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.servers import asgi_server
from tests.conftest import require_service
from tests.factories import UserFactory
from tests.streams.factories import category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def site():
    require_service(shutil.which("ffmpeg") is not None, "ffmpeg")
    with asgi_server() as address:
        yield f"http://{address}"


@pytest.fixture
def camera_browser(chromium_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS + FAKE_CAMERA_ARGS
        )
        yield browser
        browser.close()
        # As in tests/browser/conftest.py: close what the ORM opened under Playwright.
        connections.close_all()


def signed_in_context(browser, base_url: str, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    return context


def ffmpeg_children() -> list:
    return [
        child
        for child in psutil.Process().children(recursive=True)
        if "ffmpeg" in child.name() and child.status() != psutil.STATUS_ZOMBIE
    ]


def test_creator_goes_live_from_the_studio_and_a_viewer_watches(site, camera_browser):
    category("music")  # seeded by a migration, but flushed by earlier transactional tests
    creator = UserFactory(is_creator=True, username="camera_creator")
    studio_context = signed_in_context(camera_browser, site, creator)
    studio = studio_context.new_page()
    errors = []
    studio.on("pageerror", lambda error: errors.append(str(error)))
    studio.set_default_timeout(20_000)
    studio.goto("/studio/")
    camera = studio.get_by_role("region", name="Go live from this browser")
    camera.get_by_role("button", name="Turn on camera").click()
    camera.get_by_label("Title").fill("Live from the fake camera")
    camera.get_by_label("Category").select_option(label="Music")
    camera.get_by_role("button", name="Start streaming").click()
    camera.get_by_text("You are live.").wait_for()

    stream = Stream.objects.get(host=creator)
    assert stream.status == Stream.Status.LIVE
    assert stream.ingest == Stream.Ingest.BROWSER
    assert ffmpeg_children(), "no ffmpeg is encoding the stream"

    viewer_context = camera_browser.new_context(base_url=site)
    viewer = viewer_context.new_page()
    viewer.goto(stream.get_absolute_url())
    viewer.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.currentTime > 1; }",
        timeout=30_000,
    )
    first = viewer.evaluate("() => document.querySelector('video').currentTime")
    viewer.wait_for_timeout(1500)
    assert viewer.evaluate("() => document.querySelector('video').currentTime") > first

    camera.get_by_role("button", name="End stream").click()
    camera.get_by_text("Your stream has ended.").wait_for()
    stream.refresh_from_db()
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.HOST
    assert ffmpeg_children() == []
    assert not errors, errors
    # The viewer's player reloads into the ended page. (Closing a context in the
    # middle of that navigation can hang Chromium.)
    viewer.get_by_role("heading", name="This stream has ended").first.wait_for(timeout=20_000)
    viewer_context.close()
    studio_context.close()
