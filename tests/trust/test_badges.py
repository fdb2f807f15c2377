"""Badges are awarded and revoked by their rules, with an audit trail, and shown on
profiles, stream cards and in chat."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from economy.models import CreatorPartnership, PartnerTier
from streams.badges import badges_for
from tests.factories import UserFactory
from tests.streams.factories import EndedStreamFactory, LiveStreamFactory
from tests.streams.room_factories import ChatMessageFactory
from tests.trust.factories import staff_in_role
from trust.badges.selectors import list_badges
from trust.badges.services import evaluate_all_badges, evaluate_badges
from trust.models import BadgeAward, Case
from trust.models.scores import TrustScore
from trust.roles import MODERATOR
from trust.services.cases import act_on_case
from trust.services.reports import report_target

pytestmark = pytest.mark.django_db


def verified_creator(**fields):
    return UserFactory(is_creator=True, is_kyc_verified=True, **fields)


def good_trust(user):
    TrustScore.objects.update_or_create(
        user=user,
        defaults={"score": 70, "level": "good", "computed_at": timezone.now()},
    )


def test_a_creator_with_verified_identity_is_a_verified_creator_until_it_lapses():
    creator = verified_creator()
    assert evaluate_badges(user=creator) == {"verified_creator": "awarded"}
    assert evaluate_badges(user=creator) == {}

    creator.is_kyc_verified = False
    creator.save()
    assert evaluate_badges(user=creator) == {"verified_creator": "revoked"}

    award = BadgeAward.objects.get(user=creator)
    assert award.revoked_at is not None
    assert "identity_verified=False" in award.revoked_because
    assert award.evidence == {"creator": True, "identity_verified": True}


def test_trusted_streamer_needs_hours_a_good_score_and_no_upheld_reports(settings):
    settings.TRUSTED_STREAMER_HOURS = 10
    creator = verified_creator()
    now = timezone.now()
    EndedStreamFactory(host=creator, started_at=now - timedelta(hours=12), ended_at=now)
    assert "trusted_streamer" not in evaluate_badges(user=creator)  # trust is still "new"

    good_trust(creator)
    assert evaluate_badges(user=creator)["trusted_streamer"] == "awarded"

    live = LiveStreamFactory(host=creator)
    report_target(reporter=UserFactory(), target_kind="stream", target_id=live.pk, reason="spam")
    act_on_case(
        moderator=staff_in_role(MODERATOR),
        case_id=Case.objects.get().pk,
        action="warn",
        reason="Spam links",
    )
    assert evaluate_badges(user=creator)["trusted_streamer"] == "revoked"


def test_community_champion_rewards_helpful_reports_and_a_clean_chat_record(settings):
    settings.COMMUNITY_CHAMPION_UPHELD_REPORTS = 2
    settings.COMMUNITY_CHAMPION_CHAT_MESSAGES = 3
    helper = UserFactory()
    ChatMessageFactory.create_batch(3, author=helper)
    moderator = staff_in_role(MODERATOR)
    for _ in range(2):
        stream = LiveStreamFactory()
        report_target(reporter=helper, target_kind="stream", target_id=stream.pk, reason="spam")
        case = Case.objects.get(stream=stream)
        act_on_case(moderator=moderator, case_id=case.pk, action="warn", reason="Spam")

    assert evaluate_badges(user=helper) == {"community_champion": "awarded"}


def test_premium_partner_needs_the_partner_tier_and_verified_identity():
    creator = verified_creator()
    CreatorPartnership.objects.create(creator=creator, tier=PartnerTier.PARTNER)
    assert evaluate_badges(user=creator) == {
        "verified_creator": "awarded",
        "premium_partner": "awarded",
    }


def test_badges_show_on_the_profile_the_stream_card_and_in_chat(client):
    creator = verified_creator(username="asha")
    evaluate_all_badges()
    stream = LiveStreamFactory(host=creator, title="Morning ragas")

    profile = client.get(reverse("users:profile", args=["asha"])).content.decode()
    assert "Verified Creator" in profile
    home = client.get(reverse("home")).content.decode()
    assert 'class="verified-mark"' in home
    assert {"kind": "verified_creator"} in badges_for(
        user=creator, stream=stream, roles=frozenset({"host"})
    )
    assert list_badges(user=UserFactory()) == []
