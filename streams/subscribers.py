"""Who counts as a channel's subscriber, for subscribers-only chat mode.

The room does not know how people subscribe. Like badges (streams.badges), the
feature that sells subscriptions registers a check, and the room asks it:

    from streams.subscribers import register_subscriber_check

    @register_subscriber_check
    def is_subscriber(*, channel, user):
        return ...  # True while `user` subscribes to `channel`

`user` is a signed-in user; `channel` is the host's account. With no check
registered nobody is a subscriber, so subscribers-only mode lets only the host and
moderators chat.
"""

from collections.abc import Callable

SubscriberCheck = Callable[..., bool]
_checks: list[SubscriberCheck] = []


def register_subscriber_check(check: SubscriberCheck) -> SubscriberCheck:
    if check not in _checks:
        _checks.append(check)
    return check


def unregister_subscriber_check(check: SubscriberCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def is_subscriber(*, channel, user) -> bool:
    """True when any registered check says `user` subscribes to `channel`."""
    return any(check(channel=channel, user=user) for check in _checks)


def subscribe_path(*, channel) -> str:
    """Where a viewer subscribes to `channel`: the subscribe box on its profile."""
    return channel.get_absolute_url() + "#subscribe"
