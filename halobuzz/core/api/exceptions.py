"""One JSON error body for the whole API: ``{"code", "message", "extra"}``."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from halobuzz.core.exceptions import ApplicationError


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "message": exc.message, "extra": exc.extra}
        return Response(body, status=exc.status)

    if isinstance(exc, DjangoValidationError):
        # A model's full_clean() in a service: same shape as a serializer's errors.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: let Django log it and answer 500

    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _("Some fields are not valid."),
            "extra": {"fields": _as_dict(exc.detail)},
        }
    else:
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(exc.detail),
            "extra": {},
        }
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["extra"]["retry_after_seconds"] = int(exc.wait)
    response.data = body
    return response


def _as_dict(detail) -> dict:
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail}
