"""Factories and builders for verification tests."""

import re
from datetime import timedelta
from io import BytesIO

import factory
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from PIL import Image

from halobuzz.users.mfa import ensure_totp
from tests.factories import UserFactory
from trust.verification.models import DevTextMessage, PhoneCode, Verification

CAMERA_MAKE = "SpyCam 3000"


class VerificationFactory(factory.django.DjangoModelFactory):
    """A pending identity verification; pass kind/status/subject for others."""

    class Meta:
        model = Verification

    user = factory.SubFactory(UserFactory, is_creator=True)
    kind = Verification.Kind.IDENTITY
    evidence = factory.LazyAttribute(
        lambda verification: (
            {"document_type": "passport"} if verification.kind == Verification.Kind.IDENTITY else {}
        )
    )


def verified_phone(*, user, number: str) -> Verification:
    """`user` verified `number` (E.164) some time ago."""
    from django.utils import timezone

    return VerificationFactory(
        user=user,
        kind=Verification.Kind.PHONE,
        status=Verification.Status.VERIFIED,
        subject=number,
        decided_at=timezone.now(),
    )


def photo_upload(
    name: str = "photo.jpg",
    *,
    size: tuple[int, int] = (800, 600),
    image_format: str = "JPEG",
    with_exif: bool = True,
) -> SimpleUploadedFile:
    """A photo as a phone would upload it, with EXIF naming the camera."""
    image = Image.new("RGB", size, (180, 120, 60))
    options = {}
    if with_exif and image_format in ("JPEG", "WEBP", "PNG"):
        exif = Image.Exif()
        exif[0x010F] = CAMERA_MAKE  # Make
        options["exif"] = exif.tobytes()
    output = BytesIO()
    image.save(output, format=image_format, **options)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[image_format]
    return SimpleUploadedFile(name, output.getvalue(), content_type=content_type)


def last_text_code(number: str) -> str:
    """The six-digit code the dev SMS provider last "texted" to `number`."""
    body = DevTextMessage.objects.get(to=number).body
    return re.search(r"\b(\d{6})\b", body).group(1)


def let_time_pass(*, minutes: float) -> None:
    """As if `minutes` went by: every stored code and pending expiry moves back."""
    shift = timedelta(minutes=minutes)
    PhoneCode.objects.update(created_at=F("created_at") - shift, expires_at=F("expires_at") - shift)
    Verification.objects.filter(expires_at__isnull=False).update(
        expires_at=F("expires_at") - shift, created_at=F("created_at") - shift
    )


def staff_with_permissions(*codenames: str, mfa: bool = True):
    """A staff member holding these `verification` permissions and no others, past the
    console's two-factor gate."""
    member = UserFactory(is_staff=True)
    member.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="verification", codename__in=codenames)
    )
    if mfa:
        ensure_totp(user=member)
    return type(member).objects.get(pk=member.pk)
