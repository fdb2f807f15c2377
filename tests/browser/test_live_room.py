"""The live room in real browsers: two viewers chat, one reacts and the other sees the
burst, and a moderator deletes a message, which disappears for both."""

import pytest

from streams.models import ChannelModerator, ChatMessage
from tests.browser.servers import asgi_server
from tests.browser.test_live_video_browser import signed_in_context
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory, seed_emotes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site():
    with asgi_server() as address:
        yield f"http://{address}"


def open_room(browser, site: str, user, stream, errors: list):
    context = signed_in_context(browser, site, user)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: errors.append(f"{user.username}: {error}"))
    page.goto(stream.get_absolute_url())
    # The panel marks itself open once the welcome has arrived.
    page.locator("[data-room][data-room-open]").wait_for()
    return page


def send(page, text: str) -> None:
    page.locator("[data-room-input]").fill(text)
    page.locator("[data-room-input]").press("Enter")


def message(page, text: str):
    return page.locator("[data-room-message]", has_text=text)


def test_two_viewers_chat_react_and_a_moderator_deletes_a_message(site, browser):
    seed_emotes()
    stream = LiveStreamFactory(title="Noite de fado")
    ana = UserFactory(username="ana", display_name="Ana")
    ravi = UserFactory(username="ravi", display_name="Ravi")
    moderator = UserFactory(username="mod_maya", display_name="Maya")
    ChannelModerator.objects.create(channel=stream.host, moderator=moderator)
    errors: list[str] = []

    ana_page = open_room(browser, site, ana, stream, errors)
    ravi_page = open_room(browser, site, ravi, stream, errors)
    moderator_page = open_room(browser, site, moderator, stream, errors)

    send(ana_page, "Boa noite :saudade: @ravi")
    for page in (ana_page, ravi_page, moderator_page):
        line = message(page, "Boa noite")
        line.wait_for()
        # The shortcode shows as the emote image, never as markup.
        assert line.locator("img.emote[alt=':saudade:']").count() == 1
    # Ravi sees his mention highlighted.
    assert (
        ravi_page.locator("[data-room-message].room-message--mention", has_text="Boa noite").count()
        == 1
    )

    send(ravi_page, "<b>not bold</b> obrigado!")
    line = message(ana_page, "obrigado!")
    line.wait_for()
    assert "<b>not bold</b>" in line.inner_text()
    assert line.locator("b").count() == 0

    # Ravi taps a heart; Ana sees a burst float over the video.
    ravi_page.locator("[data-reaction-button='heart']").click()
    ana_page.locator("[data-reaction-burst]").first.wait_for(state="attached")

    # The moderator deletes Ravi's message from its menu; it goes for everyone.
    moderator_line = message(moderator_page, "obrigado!")
    moderator_line.hover()
    moderator_line.locator("[data-mod-menu]").click()
    moderator_page.locator("[data-mod-delete]").click()
    for page in (ana_page, ravi_page, moderator_page):
        message(page, "obrigado!").wait_for(state="detached")
    assert message(ana_page, "Boa noite").count() == 1
    assert ChatMessage.objects.get(body__contains="obrigado").status == "deleted"

    # Ordinary viewers have no moderation menu.
    assert ana_page.locator("[data-room-message] [data-mod-menu]").count() == 0
    assert not errors, errors


def test_a_moderator_turns_on_subscribers_only_and_a_viewer_is_shown_where_to_subscribe(
    site, browser
):
    stream = LiveStreamFactory(host__username="maya", host__display_name="Maya")
    moderator = UserFactory(username="mod_ravi", display_name="Ravi")
    ChannelModerator.objects.create(channel=stream.host, moderator=moderator)
    ana = UserFactory(username="ana", display_name="Ana")
    errors: list[str] = []
    moderator_page = open_room(browser, site, moderator, stream, errors)
    ana_page = open_room(browser, site, ana, stream, errors)

    # From the keyboard: open the Moderation tab, focus the checkbox, press Space.
    moderator_page.locator("[data-moderation-tab]").click()
    toggle = moderator_page.get_by_label("Subscribers-only")
    toggle.focus()
    toggle.press("Space")

    ana_page.locator("[data-room-mode='subscribers-only']").wait_for()
    assert toggle.is_checked()
    send(ana_page, "can I chat?")
    link = ana_page.locator("[data-room-error] a", has_text="Subscribe")
    link.wait_for()
    assert link.get_attribute("href") == "/@maya/#subscribe"
    assert "Maya" in ana_page.locator("[data-room-error]").inner_text()
    assert ana_page.locator("[data-room-input]").input_value() == "can I chat?"
    assert not ChatMessage.objects.filter(author=ana).exists()
    assert not errors, errors
