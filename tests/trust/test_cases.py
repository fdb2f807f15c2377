"""Moderators decide cases: report → case → action → notification → trust drop → appeal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from halobuzz.notifications.models import Notification
from streams.models import ChatMessage, Stream
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import ChatMessageFactory
from tests.trust.factories import staff_in_role
from trust import selectors
from trust.exceptions import InvalidAppeal, InvalidCaseAction, NotAllowed
from trust.models import Appeal, Case, ModerationAction, Report
from trust.models.scores import TrustScore
from trust.roles import FINANCE, MODERATOR, SENIOR_MODERATOR
from trust.scores.services import recompute_trust_score
from trust.services.appeals import appeal_decision, decide_appeal
from trust.services.cases import act_on_case
from trust.services.reports import report_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator():
    return staff_in_role(MODERATOR)


@pytest.fixture
def senior():
    return staff_in_role(SENIOR_MODERATOR)


def _reported_stream(**stream_fields):
    stream = LiveStreamFactory(**stream_fields)
    reporters = [UserFactory(), UserFactory()]
    for reporter in reporters:
        report_target(reporter=reporter, target_kind="stream", target_id=stream.pk, reason="nudity")
    return stream, Case.objects.get(target_key=f"stream:{stream.pk}"), reporters


def test_ending_a_reported_stream_closes_the_case_and_tells_everyone(moderator):
    stream, case, reporters = _reported_stream()

    action = act_on_case(
        moderator=moderator, case_id=case.pk, action="end_stream", reason="Nudity on stream"
    )

    stream.refresh_from_db()
    case.refresh_from_db()
    assert stream.status == Stream.Status.ENDED
    assert stream.end_reason == Stream.EndReason.MODERATOR
    assert case.status == Case.Status.ACTIONED
    assert case.closed_by == moderator and case.first_action_at is not None
    assert list(case.reports.values_list("upheld", flat=True)) == [True, True]
    assert action.case == case and action.actor == moderator and action.target_user == stream.host
    host_note = Notification.objects.get(recipient=stream.host)
    assert "ended your stream" in host_note.title
    assert "Nudity on stream" in host_note.body
    assert host_note.url == f"/trust/decisions/{action.pk}/"
    thanked = Notification.objects.filter(recipient__in=reporters, kind="moderation")
    assert thanked.count() == 2


def test_dismissing_closes_the_case_without_blaming_anyone(moderator):
    stream, case, _reporters = _reported_stream()
    act_on_case(moderator=moderator, case_id=case.pk, action="dismiss", reason="Art, not nudity")

    case.refresh_from_db()
    assert case.status == Case.Status.DISMISSED
    assert list(case.reports.values_list("upheld", flat=True)) == [False, False]
    assert not Notification.objects.exists()
    assert Stream.objects.get(pk=stream.pk).status == Stream.Status.LIVE


def test_removing_a_reported_chat_message_takes_it_off_the_room(moderator):
    message = ChatMessageFactory()
    report_target(
        reporter=UserFactory(), target_kind="chat_message", target_id=message.pk, reason="hate"
    )
    case = Case.objects.get()

    act_on_case(moderator=moderator, case_id=case.pk, action="remove_content", reason="Slur")

    message.refresh_from_db()
    assert message.status == ChatMessage.Status.DELETED
    assert message.moderated_by == moderator


def test_a_suspension_bans_site_wide_until_it_ends_and_ends_the_live_stream(moderator):
    stream, case, _reporters = _reported_stream()
    act_on_case(
        moderator=moderator, case_id=case.pk, action="suspend", reason="Repeat", suspend_days=3
    )

    ban = selectors.get_active_site_ban(user=stream.host)
    assert ban is not None
    assert timezone.now() + timedelta(days=2) < ban.expires_at < timezone.now() + timedelta(days=4)
    assert ModerationAction.objects.filter(kind="suspend", case=case).exists()
    assert Stream.objects.get(pk=stream.pk).status == Stream.Status.ENDED


def test_moderators_need_a_senior_for_bans_long_suspensions_and_escalated_cases(moderator, senior):
    _stream, case, _reporters = _reported_stream()

    with pytest.raises(NotAllowed):
        act_on_case(moderator=moderator, case_id=case.pk, action="site_ban", reason="Bad")
    with pytest.raises(NotAllowed):
        act_on_case(
            moderator=moderator, case_id=case.pk, action="suspend", reason="Bad", suspend_days=30
        )
    act_on_case(moderator=moderator, case_id=case.pk, action="escalate", reason="Needs a senior")
    with pytest.raises(NotAllowed):
        act_on_case(moderator=moderator, case_id=case.pk, action="warn", reason="Careful")

    act_on_case(moderator=senior, case_id=case.pk, action="site_ban", reason="Explicit content")
    assert selectors.get_active_site_ban(user=case.subject).expires_at is None


def test_finance_staff_cannot_act_on_cases():
    _stream, case, _reporters = _reported_stream()
    with pytest.raises(NotAllowed):
        act_on_case(moderator=staff_in_role(FINANCE), case_id=case.pk, action="warn", reason="x")
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN


@pytest.mark.parametrize(
    ("action", "extra", "code"),
    [
        ("warn", {"reason": "  "}, "reason_required"),
        ("remove_content", {"reason": "x"}, "nothing_to_remove"),
        ("suspend", {"reason": "x"}, "days_required"),
        ("explode", {"reason": "x"}, "unknown_action"),
    ],
)
def test_decisions_that_do_not_fit_change_nothing(moderator, action, extra, code):
    _stream, case, _reporters = _reported_stream()
    with pytest.raises(InvalidCaseAction) as raised:
        act_on_case(moderator=moderator, case_id=case.pk, action=action, **extra)
    assert raised.value.code == code
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN
    assert not ModerationAction.objects.filter(case=case).exists()


def test_a_closed_case_cannot_be_decided_twice(moderator):
    _stream, case, _reporters = _reported_stream()
    act_on_case(moderator=moderator, case_id=case.pk, action="warn", reason="Keep it clean")
    with pytest.raises(InvalidCaseAction) as raised:
        act_on_case(moderator=moderator, case_id=case.pk, action="warn", reason="Again")
    assert raised.value.code == "case_closed"


def test_an_upheld_report_lowers_the_trust_score_and_an_overturned_appeal_restores_it(
    moderator, senior, django_capture_on_commit_callbacks
):
    stream, case, _reporters = _reported_stream()
    host = stream.host
    before = recompute_trust_score(user=host).score

    with django_capture_on_commit_callbacks(execute=True):
        action = act_on_case(
            moderator=moderator, case_id=case.pk, action="suspend", reason="Nudity", suspend_days=2
        )

    after = TrustScore.objects.get(user=host)
    assert after.score < before
    assert after.inputs["strikes"] == {"suspend": 1}
    assert after.inputs["upheld_reports"] == 2

    appeal = appeal_decision(appellant=host, action_id=action.pk, statement="It was a statue.")
    with pytest.raises(InvalidAppeal) as twice:
        appeal_decision(appellant=host, action_id=action.pk, statement="Again")
    assert twice.value.code == "already_appealed"

    with django_capture_on_commit_callbacks(execute=True):
        decide_appeal(reviewer=senior, appeal_id=appeal.pk, overturn=True, note="Agreed: art.")

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OVERTURNED
    assert selectors.get_active_site_ban(user=host) is None
    restored = TrustScore.objects.get(user=host)
    assert restored.inputs["strikes"] == {}
    assert restored.score > after.score
    told = Notification.objects.filter(recipient=host).order_by("-created_at").first()
    assert "accepted" in told.title


def test_appeals_are_for_the_member_affected_and_decided_by_someone_else(moderator, senior):
    stream, case, _reporters = _reported_stream()
    action = act_on_case(moderator=senior, case_id=case.pk, action="warn", reason="Careful")

    with pytest.raises(InvalidAppeal) as stranger:
        appeal_decision(appellant=UserFactory(), action_id=action.pk, statement="Not fair")
    assert stranger.value.code == "not_yours"
    appeal = appeal_decision(appellant=stream.host, action_id=action.pk, statement="Not fair")

    with pytest.raises(NotAllowed):
        decide_appeal(reviewer=moderator, appeal_id=appeal.pk, overturn=True, note="ok")
    with pytest.raises(InvalidAppeal) as own:
        decide_appeal(reviewer=senior, appeal_id=appeal.pk, overturn=True, note="ok")
    assert own.value.code == "own_decision"

    decide_appeal(
        reviewer=staff_in_role(SENIOR_MODERATOR), appeal_id=appeal.pk, overturn=False, note="Stands"
    )
    assert Appeal.objects.get().status == Appeal.Status.UPHELD


def test_a_member_sees_the_decision_and_appeals_it_from_the_page(client, moderator):
    stream, case, _reporters = _reported_stream()
    action = act_on_case(moderator=moderator, case_id=case.pk, action="warn", reason="Language")
    client.force_login(stream.host)

    listing = client.get("/trust/decisions/").content.decode()
    assert "Language" in listing
    page = client.get(f"/trust/decisions/{action.pk}/")
    assert "Appeal this decision" in page.content.decode()
    empty = client.post(f"/trust/decisions/{action.pk}/", {"statement": ""})
    assert empty.status_code == 400
    client.post(f"/trust/decisions/{action.pk}/", {"statement": "I was quoting a song."})

    assert Appeal.objects.get().statement == "I was quoting a song."
    again = client.get(f"/trust/decisions/{action.pk}/").content.decode()
    assert "Waiting for review" in again
    client.force_login(UserFactory())
    assert client.get(f"/trust/decisions/{action.pk}/").status_code == 404


def test_upheld_reports_are_recorded_on_every_report(moderator):
    _stream, case, _reporters = _reported_stream()
    act_on_case(moderator=moderator, case_id=case.pk, action="warn", reason="x")
    assert Report.objects.filter(upheld=True).count() == 2
