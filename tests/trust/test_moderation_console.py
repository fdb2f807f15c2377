"""The moderation console in the admin: the queue, the review page, decisions, appeals,
and the separation of staff roles (a moderator cannot approve payouts; finance cannot ban)."""

import pytest
from django.urls import reverse

from economy.models import PayoutRequest
from economy.services import payouts as payout_services
from halobuzz.users.mfa import ensure_totp
from tests.economy.test_payouts import earn, request
from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import ChatMessageFactory
from tests.trust.factories import staff_in_role
from trust.models import Appeal, Case, SiteBan
from trust.roles import FINANCE, MODERATOR, SENIOR_MODERATOR
from trust.services.appeals import appeal_decision
from trust.services.cases import act_on_case
from trust.services.reports import report_target

pytestmark = pytest.mark.django_db


def signed_in(client, role):
    staff = staff_in_role(role)
    ensure_totp(user=staff)
    client.force_login(staff)
    return staff


def test_the_queue_lists_open_cases_most_urgent_first(client, django_assert_max_num_queries):
    signed_in(client, MODERATOR)
    quiet = ChatMessageFactory()
    report_target(
        reporter=UserFactory(), target_kind="chat_message", target_id=quiet.pk, reason="spam"
    )
    for _ in range(5):
        live = LiveStreamFactory(current_viewers=50)
        report_target(
            reporter=UserFactory(), target_kind="stream", target_id=live.pk, reason="violence"
        )
    closed = LiveStreamFactory()
    report_target(reporter=UserFactory(), target_kind="stream", target_id=closed.pk, reason="spam")
    Case.objects.filter(stream=closed).update(status=Case.Status.DISMISSED)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:trust_case_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Violence or gore") >= 5
    assert html.index("Violence or gore") < html.index("Spam")
    assert closed.title not in html


def test_a_moderator_reviews_a_case_with_chat_context_and_decides_it(client):
    moderator = signed_in(client, MODERATOR)
    earlier = ChatMessageFactory(body="hello everyone")
    reported = ChatMessageFactory(stream=earlier.stream, body="you are all idiots")
    report_target(
        reporter=UserFactory(),
        target_kind="chat_message",
        target_id=reported.pk,
        reason="harassment",
        note="insults",
    )
    case = Case.objects.get()

    review = client.get(reverse("admin:trust_case_change", args=[case.pk])).content.decode()
    assert "hello everyone" in review and "you are all idiots" in review and "insults" in review

    empty = client.post(
        reverse("admin:trust_case_act", args=[case.pk]), {"action": "warn", "reason": ""}
    )
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()
    wrong = client.post(
        reverse("admin:trust_case_act", args=[case.pk]), {"action": "end_stream", "reason": "x"}
    )
    assert "no live stream" in wrong.content.decode()
    done = client.post(
        reverse("admin:trust_case_act", args=[case.pk]),
        {"action": "remove_content", "reason": "Insults"},
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACTIONED and case.closed_by == moderator


def test_a_senior_decides_an_appeal_in_the_appeal_queue(client):
    moderator = staff_in_role(MODERATOR)
    stream = LiveStreamFactory()
    report_target(reporter=UserFactory(), target_kind="stream", target_id=stream.pk, reason="spam")
    action = act_on_case(
        moderator=moderator,
        case_id=Case.objects.get().pk,
        action="suspend",
        reason="Spam",
        suspend_days=1,
    )
    appeal = appeal_decision(
        appellant=stream.host, action_id=action.pk, statement="I was not spamming"
    )
    signed_in(client, SENIOR_MODERATOR)

    assert (
        "I was not spamming"
        in client.get(reverse("admin:trust_appeal_change", args=[appeal.pk])).content.decode()
    )
    client.post(
        reverse("admin:trust_appeal_change", args=[appeal.pk]),
        {"decision": "overturn", "note": "Looked again: not spam."},
    )

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.OVERTURNED
    assert SiteBan.objects.get().lifted_at is not None


def test_a_moderator_cannot_approve_payouts(client):
    creator = UserFactory(is_creator=True, is_kyc_verified=True, preferred_currency="NPR")
    creator.totp_secret = ensure_totp(user=creator)
    earn(creator, 5000)
    method = payout_services.add_payout_method(
        creator=creator, kind="esewa", holder_name="Asha Rai", account="9800000001", currency="NPR"
    )
    payout = request(creator, method)
    signed_in(client, MODERATOR)

    changelist = reverse("admin:economy_payoutrequest_changelist")
    assert client.get(changelist).status_code == 403
    client.post(changelist, {"action": "approve", "_selected_action": [payout.pk]})
    assert PayoutRequest.objects.get().status == PayoutRequest.Status.REQUESTED


def test_finance_cannot_ban_or_work_the_moderation_queue(client):
    signed_in(client, FINANCE)
    member = UserFactory()

    assert client.get(reverse("admin:trust_case_changelist")).status_code == 403
    stream = LiveStreamFactory()
    report_target(reporter=UserFactory(), target_kind="stream", target_id=stream.pk, reason="spam")
    case = Case.objects.get()
    assert client.get(reverse("admin:trust_case_change", args=[case.pk])).status_code == 403
    decided = client.post(
        reverse("admin:trust_case_act", args=[case.pk]), {"action": "warn", "reason": "x"}
    )
    assert decided.status_code == 403
    assert client.get(reverse("admin:trust_siteban_add")).status_code == 403
    client.post(
        reverse("admin:users_user_changelist"),
        {"action": "ban_site_wide", "_selected_action": [member.pk]},
    )
    assert not SiteBan.objects.exists()
    assert client.get(reverse("admin:economy_payoutrequest_changelist")).status_code == 200
