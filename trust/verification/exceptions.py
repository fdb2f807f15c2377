"""Errors raised by verification services, each with a stable code for forms and the API."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from halobuzz.core.exceptions import ApplicationError


class VerificationError(ApplicationError):
    code = "verification_error"


class NotAllowed(VerificationError):
    code = "forbidden"
    status = 403


class LayerNotOffered(VerificationError):
    """The site has no flow for this layer now (e.g. no SMS provider configured)."""

    code = "layer_not_offered"


class AlreadyVerified(VerificationError):
    code = "already_verified"
    status = 409


class InvalidPhoneNumber(VerificationError):
    code = "invalid_phone_number"


class PhoneNumberTaken(VerificationError):
    code = "phone_number_taken"
    status = 409

    def __init__(self):
        super().__init__(_("This number is verified on another account."))


class NoPendingPhoneVerification(VerificationError):
    code = "no_pending_phone_verification"

    def __init__(self):
        super().__init__(_("Enter your phone number first; we will text you a code."))


class ResendTooSoon(VerificationError):
    code = "resend_too_soon"
    status = 429

    def __init__(self, *, seconds: int):
        super().__init__(
            ngettext(
                "Wait %(seconds)d second before asking for another code.",
                "Wait %(seconds)d seconds before asking for another code.",
                seconds,
            )
            % {"seconds": seconds},
            extra={"retry_after": seconds},
        )


class TooManyCodes(VerificationError):
    code = "too_many_codes"
    status = 429

    def __init__(self, *, seconds: int):
        minutes = max(1, (seconds + 59) // 60)
        super().__init__(
            ngettext(
                "We have sent too many codes. Try again in %(minutes)d minute.",
                "We have sent too many codes. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            extra={"retry_after": seconds},
        )


class PhoneCodeExpired(VerificationError):
    code = "code_expired"

    def __init__(self):
        super().__init__(_("This code has expired. Ask for a new one."))


class PhoneCodeExhausted(VerificationError):
    code = "code_exhausted"

    def __init__(self):
        super().__init__(_("Too many wrong tries for this code. Ask for a new one."))


class WrongPhoneCode(VerificationError):
    code = "wrong_code"

    def __init__(self, *, attempts_left: int):
        super().__init__(
            ngettext(
                "That is not the code we sent. %(count)d try left.",
                "That is not the code we sent. %(count)d tries left.",
                attempts_left,
            )
            % {"count": attempts_left},
            extra={"attempts_left": attempts_left},
        )


class InvalidDocument(VerificationError):
    code = "invalid_document"


class TooManySubmissions(VerificationError):
    code = "too_many_submissions"
    status = 429

    def __init__(self):
        super().__init__(_("You have sent identity documents too often today. Try tomorrow."))


class NotReviewable(VerificationError):
    code = "not_reviewable"
    status = 409
