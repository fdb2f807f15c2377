from django.utils.translation import gettext_lazy as _

from halobuzz.core.exceptions import ApplicationError, NotFoundError


class UserNotFound(NotFoundError):
    code = "user_not_found"

    def __init__(self, username: str):
        super().__init__(_("No user is called @%(username)s.") % {"username": username})


class CannotFollowSelf(ApplicationError):
    code = "cannot_follow_self"

    def __init__(self):
        super().__init__(_("You cannot follow yourself."))


class InvalidAvatar(ApplicationError):
    code = "invalid_avatar"
