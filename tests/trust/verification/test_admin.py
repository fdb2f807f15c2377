"""The console: staff review identity documents and decide; the photos are reachable
only there, only by staff holding the permission, and never cached."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from halobuzz.notifications.models import Notification
from tests.factories import UserFactory
from tests.trust.verification.factories import staff_with_permissions
from trust.verification import selectors, services
from trust.verification.checks import check_private_media_root
from trust.verification.exceptions import NotAllowed
from trust.verification.models import DevTextMessage, Verification

pytestmark = pytest.mark.django_db


def document_url(verification, side="front") -> str:
    return reverse("admin:verification_verification_document", args=[verification.pk, side])


def change_url(verification) -> str:
    return reverse("admin:verification_verification_change", args=[verification.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def reviewer(client):
    staff = staff_with_permissions(
        "view_verification", "review_verification", "view_identity_documents"
    )
    client.force_login(staff)
    return staff


# --- the photos are private ------------------------------------------------------------


def test_anonymous_visitors_cannot_reach_the_photos(client, submitted_identity):
    for side in ("front", "back", "selfie"):
        assert client.get(document_url(submitted_identity, side)).status_code == 404


def test_other_members_cannot_reach_the_photos(client, submitted_identity):
    client.force_login(UserFactory())

    assert client.get(document_url(submitted_identity)).status_code == 404


def test_the_creator_cannot_fetch_their_own_photos_back(client, submitted_identity, creator):
    client.force_login(creator)

    assert client.get(document_url(submitted_identity)).status_code == 404


def test_staff_without_the_permission_are_forbidden(client, submitted_identity):
    client.force_login(staff_with_permissions("view_verification", "review_verification"))

    assert client.get(document_url(submitted_identity)).status_code == 403


def test_staff_with_the_permission_get_the_photo_uncached(client, submitted_identity, reviewer):
    response = client.get(document_url(submitted_identity, "selfie"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    selfie = submitted_identity.identity_documents.selfie
    with selfie.open("rb"):
        assert b"".join(response.streaming_content) == selfie.read()


def test_an_unknown_side_or_deleted_photos_are_not_found(client, submitted_identity, reviewer):
    assert client.get(document_url(submitted_identity, "spine")).status_code == 404
    submitted_identity.identity_documents.__class__.objects.update(front="")

    assert client.get(document_url(submitted_identity, "front")).status_code == 404


def test_the_photos_have_no_public_url(client, submitted_identity):
    front = submitted_identity.identity_documents.front

    with pytest.raises(ValueError, match="not accessible via a URL"):
        front.url  # noqa: B018
    path = front.storage.path(front.name)
    assert not path.startswith(str(settings.MEDIA_ROOT))
    for guess in (f"/media/{front.name}", f"{settings.MEDIA_URL}identity/", f"/{front.name}"):
        assert client.get(guess).status_code == 404


# --- reviewing -------------------------------------------------------------------------


def test_the_review_page_shows_the_photos_and_a_decision_form(client, submitted_identity, reviewer):
    response = client.get(change_url(submitted_identity))

    page = response.content.decode()
    assert response.status_code == 200
    for side in ("front", "back", "selfie"):
        assert document_url(submitted_identity, side) in page
    assert 'name="decision" value="approve"' in page


def test_staff_who_may_not_see_photos_are_told_so(client, submitted_identity):
    client.force_login(staff_with_permissions("view_verification", "review_verification"))

    page = client.get(change_url(submitted_identity)).content.decode()

    assert document_url(submitted_identity) not in page
    assert "You do not have the permission to view identity document photos" in page


def test_approving_from_the_review_page(client, submitted_identity, reviewer, creator):
    review_url = reverse("admin:verification_verification_review", args=[submitted_identity.pk])

    response = client.post(review_url, {"decision": "approve"})

    assert response.status_code == 302
    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.VERIFIED
    assert submitted_identity.reviewer == reviewer
    assert Notification.objects.filter(recipient=creator, kind="verification").exists()


def test_rejecting_from_the_review_page_needs_a_reason(client, submitted_identity, reviewer):
    review_url = reverse("admin:verification_verification_review", args=[submitted_identity.pk])

    response = client.post(review_url, {"decision": "reject", "reason": ""}, follow=True)
    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.PENDING
    assert any("required" in message for message in messages_of(response))

    client.post(review_url, {"decision": "reject", "reason": "The selfie is too dark."})
    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.REJECTED
    assert submitted_identity.rejection_reason == "The selfie is too dark."


def test_staff_without_the_review_permission_cannot_decide(client, submitted_identity):
    client.force_login(staff_with_permissions("view_verification", "view_identity_documents"))
    review_url = reverse("admin:verification_verification_review", args=[submitted_identity.pk])

    response = client.post(review_url, {"decision": "approve"}, follow=True)

    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.PENDING
    assert any("Only staff who review" in message for message in messages_of(response))


def test_bulk_reject_action_asks_for_a_reason_then_rejects(client, reviewer, submitted_identity):
    changelist = reverse("admin:verification_verification_changelist")
    selection = {"action": "reject_selected", "_selected_action": [submitted_identity.pk]}

    confirmation = client.post(changelist, selection)
    assert confirmation.status_code == 200
    assert "Reason (the member sees it)" in confirmation.content.decode()

    client.post(changelist, selection | {"apply": "1", "reason": "Document is expired."})
    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.REJECTED
    assert submitted_identity.rejection_reason == "Document is expired."


def test_bulk_approve_action(client, reviewer, submitted_identity):
    changelist = reverse("admin:verification_verification_changelist")

    client.post(
        changelist, {"action": "approve_selected", "_selected_action": [submitted_identity.pk]}
    )

    submitted_identity.refresh_from_db()
    assert submitted_identity.status == Verification.Status.VERIFIED


def test_staff_read_the_dev_providers_last_texts(client):
    DevTextMessage.objects.create(
        to="+9779841234567", body="Your HaloBuzz code is 123456.", sent_at="2026-11-22T08:00Z"
    )
    client.force_login(staff_with_permissions("view_devtextmessage"))

    page = client.get(reverse("admin:verification_devtextmessage_changelist")).content.decode()

    assert "Your HaloBuzz code is 123456." in page


def test_a_private_folder_inside_the_public_media_folder_fails_the_system_check(settings):
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT / "private"

    errors = check_private_media_root()

    assert [error.id for error in errors] == ["verification.E001"]


# --- who may review is one rule --------------------------------------------------------


def test_only_active_staff_holding_the_permission_may_review(db):
    reviewer = staff_with_permissions("review_verification", mfa=False)
    member = UserFactory()
    member.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="verification", codename="review_verification"
        )
    )
    inactive = staff_with_permissions("review_verification", mfa=False)
    inactive.is_active = False

    assert selectors.may_review(user=reviewer)
    assert not selectors.may_review(user=staff_with_permissions("view_verification", mfa=False))
    assert not selectors.may_review(user=type(member).objects.get(pk=member.pk))
    assert not selectors.may_review(user=inactive)
    assert not selectors.may_review(user=None)


def test_the_console_and_the_services_ask_the_same_rule(
    client, submitted_identity, reviewer, monkeypatch
):
    changelist = reverse("admin:verification_verification_changelist")
    assert 'value="approve_selected"' in client.get(changelist).content.decode()

    monkeypatch.setattr(selectors, "may_review", lambda *, user: False)

    assert 'name="decision"' not in client.get(change_url(submitted_identity)).content.decode()
    assert 'value="approve_selected"' not in client.get(changelist).content.decode()
    with pytest.raises(NotAllowed):
        services.approve_verification(reviewer=reviewer, verification=submitted_identity)
