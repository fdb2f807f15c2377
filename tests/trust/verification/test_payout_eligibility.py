"""Who may withdraw earnings: a creator whose identity layer is verified, or whom
staff marked identity-verified (`is_kyc_verified`) before the layer existed."""

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import UserFactory
from tests.trust.verification.factories import staff_with_permissions
from trust.verification import services
from trust.verification.selectors import is_payout_eligible

pytestmark = pytest.mark.django_db


def test_a_creator_whose_identity_staff_approved_may_be_paid_out(submitted_identity, creator):
    assert not is_payout_eligible(user=creator)  # sent, not decided yet

    services.approve_verification(
        reviewer=staff_with_permissions("review_verification"), verification=submitted_identity
    )

    assert is_payout_eligible(user=creator)


def test_a_rejected_identity_is_not_enough(submitted_identity, creator):
    services.reject_verification(
        reviewer=staff_with_permissions("review_verification"),
        verification=submitted_identity,
        reason="The photo of the front is blurred.",
    )

    assert not is_payout_eligible(user=creator)


def test_staffs_identity_flag_still_counts():
    assert is_payout_eligible(user=UserFactory(is_creator=True, is_kyc_verified=True))
    assert not is_payout_eligible(user=UserFactory(is_creator=True))
    assert not is_payout_eligible(user=AnonymousUser())
