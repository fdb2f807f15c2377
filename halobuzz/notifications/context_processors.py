from functools import cache

from halobuzz.notifications.selectors import count_unread_notifications


def unread_notifications(request) -> dict:
    """`unread_notification_count` for the header bell.

    Visitors get nothing and cost no query. For signed-in users it is a memoized
    callable (templates call callables), so the count is read once, and only by
    pages that show the bell: htmx fragments never pay for it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_notification_count() -> int:
        return count_unread_notifications(user=user)

    return {"unread_notification_count": unread_notification_count}
