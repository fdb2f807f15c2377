"""A viewer reports a live stream; a moderator ends it from the console; the viewer's
page shows that the stream ended."""

import pytest

from halobuzz.users.mfa import ensure_totp
from tests.browser.servers import asgi_server
from tests.browser.test_live_video_browser import signed_in_context
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import ChatMessageFactory
from tests.trust.factories import staff_in_role
from trust.models import Case
from trust.roles import MODERATOR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    with asgi_server() as address:
        yield f"http://{address}"


def test_a_viewer_reports_a_stream_and_a_moderator_ends_it(site, browser):
    stream = LiveStreamFactory(title="Late night talk", current_viewers=40)
    viewer = UserFactory(username="nisha")
    ChatMessageFactory(
        stream=stream, author=UserFactory(username="spammy"), body="buy followers cheap"
    )
    moderator = staff_in_role(MODERATOR)
    ensure_totp(user=moderator)
    errors: list[str] = []

    viewer_page = signed_in_context(browser, site, viewer).new_page()
    viewer_page.set_default_timeout(15_000)
    viewer_page.on("pageerror", lambda error: errors.append(str(error)))
    viewer_page.goto(stream.get_absolute_url())
    viewer_page.locator("[data-room][data-room-open]").wait_for()

    # A message in the chat is reported from its menu.
    line = viewer_page.locator("[data-room-message]", has_text="buy followers cheap")
    line.hover()
    line.locator("[data-mod-menu]").click()
    line.get_by_role("link", name="Report to HaloBuzz").click()
    viewer_page.get_by_text("a chat message by spammy").wait_for()
    viewer_page.get_by_label("Spam", exact=True).check()
    viewer_page.get_by_role("button", name="Send report").click()
    viewer_page.locator("[data-room][data-room-open]").wait_for()
    assert Case.objects.get().target_kind == "chat_message"

    viewer_page.get_by_role("link", name="Report this stream").click()
    viewer_page.get_by_label("Nudity or sexual content").check()
    viewer_page.get_by_label("Anything our moderators should know (optional)").fill(
        "Explicit content at 10:42"
    )
    viewer_page.get_by_role("button", name="Send report").click()
    viewer_page.get_by_text("Thank you. Our moderators will review your report").wait_for()
    viewer_page.locator("[data-room][data-room-open]").wait_for()
    case = Case.objects.get(target_kind="stream")
    assert case.report_count == 1

    console = signed_in_context(browser, site, moderator).new_page()
    console.set_default_timeout(15_000)
    console.goto("/admin/trust/case/")
    console.get_by_role("link", name="Stream: Late night talk").click()
    console.get_by_text("Explicit content at 10:42").wait_for()
    console.get_by_label("Ended a stream").check()
    console.get_by_label("Reason").fill("Explicit content on a public stream")
    console.get_by_role("button", name="Apply decision").click()
    console.get_by_text("Ended a stream.").wait_for()

    # The room tells the viewer's page, which shows the ended state.
    viewer_page.get_by_text("This stream has ended").first.wait_for()
    case.refresh_from_db()
    assert case.status == Case.Status.ACTIONED
    assert not errors, errors
