"""The trust score formula with worked examples (docs/architecture.md, "Trust score")."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import FollowFactory, UserFactory
from trust.models.scores import TrustScore, TrustScoreChange, TrustWeights
from trust.scores import formula
from trust.scores.selectors import get_trust_summary
from trust.scores.services import gather_inputs, recompute_all_trust_scores, recompute_trust_score

DEFAULT_WEIGHTS = formula.Weights()


def _score(inputs: formula.TrustInputs, weights=DEFAULT_WEIGHTS):
    score = formula.trust_score(formula.components(inputs), weights)
    return score, formula.trust_level(score, weights)


def test_a_new_member_with_only_an_email_scores_24_50():
    # (0.15 * 0.30 + 0 * 0.25 + 0 * 0.25 + 1 * 0.20) * 100
    assert _score(formula.TrustInputs(verified_layers=["email"])) == (Decimal("24.50"), "new")


def test_an_established_verified_creator_scores_91():
    # verification: email 0.15 + phone 0.20 + identity 0.35 = 0.70; the rest full marks:
    # (0.70 * 0.30 + 1 * 0.25 + 1 * 0.25 + 1 * 0.20) * 100 = 91.00
    inputs = formula.TrustInputs(
        verified_layers=["email", "phone", "identity"],
        followers=1000,
        account_age_days=400,
        positive_interactions=500,
        paid_purchases=10,
        paid_payouts=3,
        kyc_verified=True,
    )
    assert _score(inputs) == (Decimal("91.00"), "excellent")


def test_a_refund_a_warning_and_upheld_reports_bring_the_same_creator_to_75_70():
    # financial 1 * (1 - 0.5) = 0.5; content 1 - 0.10 - 2 * 0.02 = 0.86:
    # (0.70 * 0.30 + 1 * 0.25 + 0.5 * 0.25 + 0.86 * 0.20) * 100 = 75.70
    inputs = formula.TrustInputs(
        verified_layers=["email", "phone", "identity"],
        followers=1000,
        account_age_days=400,
        positive_interactions=500,
        paid_purchases=10,
        paid_payouts=3,
        kyc_verified=True,
        refunds_and_chargebacks=1,
        strikes={"warn": 1},
        upheld_reports=2,
    )
    assert _score(inputs) == (Decimal("75.70"), "good")


def test_a_ban_empties_the_content_component_and_caps_never_go_below_zero():
    inputs = formula.TrustInputs(strikes={"site_ban": 1, "warn": 3}, automod_holds=50)
    assert formula.components(inputs)["content"] == 0.0
    # AutoMod holds and upheld reports are capped at 0.10 and 0.20.
    capped = formula.TrustInputs(automod_holds=1000, upheld_reports=1000)
    assert formula.components(capped)["content"] == pytest.approx(0.70)


def test_social_proof_is_log_scaled():
    ten = formula.components(formula.TrustInputs(followers=9))["social_proof"]
    hundred = formula.components(formula.TrustInputs(followers=99))["social_proof"]
    # log10(10)/log10(1001) * 0.4 and twice that: each tenfold adds the same.
    assert ten == pytest.approx(0.4 / 3.0004, abs=1e-3)
    assert hundred == pytest.approx(2 * ten, abs=1e-3)


@pytest.mark.django_db
def test_staff_weights_change_the_score():
    TrustWeights.objects.create(
        verification=Decimal("0.50"),
        social_proof=Decimal("0.20"),
        financial=Decimal("0.20"),
        content=Decimal("0.10"),
    )
    member = UserFactory()  # a verified email
    # (0.15 * 0.50 + 1 * 0.10) * 100
    assert recompute_trust_score(user=member).score == Decimal("17.50")


def test_weights_that_do_not_add_up_to_one_are_refused():
    weights = TrustWeights(verification=Decimal("0.50"))
    with pytest.raises(ValidationError):
        weights.clean()


@pytest.mark.django_db
def test_inputs_come_from_the_members_record():
    member = UserFactory(date_joined=timezone.now() - timedelta(days=73))
    FollowFactory.create_batch(3, followee=member)

    inputs = gather_inputs(user=member)
    assert inputs.verified_layers == ["email"]
    assert inputs.followers == 3
    assert inputs.account_age_days == 73
    assert inputs.strikes == {}


@pytest.mark.django_db
def test_history_keeps_only_changes_and_the_nightly_run_scores_everyone():
    member = UserFactory()
    recompute_trust_score(user=member)
    recompute_trust_score(user=member)
    assert TrustScoreChange.objects.filter(user=member).count() == 1

    FollowFactory.create_batch(5, followee=member)
    recompute_trust_score(user=member)
    assert TrustScoreChange.objects.filter(user=member).count() == 2

    others = UserFactory.create_batch(2)
    assert recompute_all_trust_scores() >= 3
    assert TrustScore.objects.filter(user__in=others).count() == 2


@pytest.mark.django_db
def test_the_summary_explains_the_score_and_how_to_raise_it():
    member = UserFactory()
    summary = get_trust_summary(user=member)
    assert summary["score"].score == Decimal("24.50")
    assert summary["level_label"] == "New"
    verification = next(c for c in summary["components"] if c.key == "verification")
    assert verification.percent == 15 and verification.max_points == 30
    assert any("phone" in tip for tip in summary["tips"])


@pytest.mark.django_db
def test_the_member_sees_their_score_its_parts_and_tips_on_the_trust_page(client):
    member = UserFactory()
    client.force_login(member)

    page = client.get("/trust/verification/").content.decode()

    assert "Your trust score" in page
    assert '<strong class="trust-score__value">25</strong>' in page  # 24.50 rounds up
    assert "4.5 of 30 points" in page and "20.0 of 20 points" in page
    assert "Verify your phone number." in page
