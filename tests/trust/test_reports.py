"""Viewers report streams, chat messages and accounts; reports gather into one case."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.streams.factories import LiveStreamFactory
from tests.streams.room_factories import ChatMessageFactory
from trust.exceptions import (
    AlreadyReported,
    InvalidReport,
    ReportsTooFrequent,
    ReportTargetNotFound,
)
from trust.models import Case, Report
from trust.services.reports import case_priority, report_target

pytestmark = pytest.mark.django_db


def test_reports_about_one_stream_gather_into_one_case_ranked_by_severity_and_reach():
    stream = LiveStreamFactory(current_viewers=120)
    first, second = UserFactory(), UserFactory()

    report_target(reporter=first, target_kind="stream", target_id=stream.pk, reason="spam")
    report = report_target(
        reporter=second, target_kind="stream", target_id=stream.pk, reason="minor_at_risk"
    )

    case = Case.objects.get()
    assert report.case == case
    assert case.subject == stream.host
    assert case.report_count == 2
    assert case.severity == 5
    assert case.reach == 120
    assert case.priority == case_priority(severity=5, is_live=True, viewers=120, report_count=2)


def test_the_queue_puts_a_live_audience_before_a_quiet_chat_message():
    live = LiveStreamFactory(current_viewers=300)
    message = ChatMessageFactory()
    reporter = UserFactory()
    report_target(reporter=reporter, target_kind="stream", target_id=live.pk, reason="hate")
    report_target(
        reporter=reporter, target_kind="chat_message", target_id=message.pk, reason="hate"
    )

    ranked = list(Case.objects.order_by("-priority").values_list("target_kind", flat=True))
    assert ranked == ["stream", "chat_message"]


def test_reporting_the_same_thing_twice_is_refused_and_counts_once():
    stream = LiveStreamFactory()
    reporter = UserFactory()
    report_target(reporter=reporter, target_kind="stream", target_id=stream.pk, reason="spam")

    with pytest.raises(AlreadyReported):
        report_target(reporter=reporter, target_kind="stream", target_id=stream.pk, reason="hate")
    assert Case.objects.get().report_count == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reason": "not-a-reason"}, "reason_required"),
        ({"reason": "other", "note": ""}, "note_required"),
        ({"reason": "spam", "note": "x" * 501}, "note_too_long"),
    ],
)
def test_bad_reports_say_what_is_wrong_and_open_nothing(kwargs, code):
    stream = LiveStreamFactory()
    with pytest.raises(InvalidReport) as raised:
        report_target(reporter=UserFactory(), target_kind="stream", target_id=stream.pk, **kwargs)
    assert raised.value.code == code
    assert not Case.objects.exists()


def test_nobody_reports_themselves_or_something_that_does_not_exist():
    stream = LiveStreamFactory()
    with pytest.raises(InvalidReport):
        report_target(
            reporter=stream.host, target_kind="stream", target_id=stream.pk, reason="spam"
        )
    with pytest.raises(ReportTargetNotFound):
        report_target(reporter=UserFactory(), target_kind="stream", target_id=999999, reason="spam")
    with pytest.raises(ReportTargetNotFound):
        report_target(reporter=UserFactory(), target_kind="reel", target_id=1, reason="spam")


def test_reports_are_rate_limited_per_reporter(settings):
    settings.REPORTS_BURST = 2
    settings.REPORTS_PER_HOUR = 2
    reporter = UserFactory()
    targets = [UserFactory() for _ in range(3)]
    for target in targets[:2]:
        report_target(reporter=reporter, target_kind="user", target_id=target.pk, reason="spam")

    with pytest.raises(ReportsTooFrequent) as raised:
        report_target(reporter=reporter, target_kind="user", target_id=targets[2].pk, reason="spam")
    assert raised.value.extra["retry_after_seconds"] > 0
    assert Report.objects.count() == 2


def test_a_closed_case_does_not_stop_a_new_report_opening_a_new_one():
    stream = LiveStreamFactory()
    report_target(reporter=UserFactory(), target_kind="stream", target_id=stream.pk, reason="spam")
    Case.objects.update(status=Case.Status.DISMISSED)

    report_target(reporter=UserFactory(), target_kind="stream", target_id=stream.pk, reason="spam")
    assert Case.objects.filter(status=Case.Status.OPEN).count() == 1


def test_the_report_page_takes_a_report_and_goes_back_to_the_stream(client):
    stream = LiveStreamFactory()
    viewer = UserFactory()
    client.force_login(viewer)
    url = reverse("trust:report", args=["stream", stream.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert stream.title in page.content.decode()

    response = client.post(url, {"reason": "violence", "note": "fight on screen"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("streams:watch", args=[stream.pk])
    assert "Thank you" in response.content.decode()
    assert Report.objects.get().note == "fight on screen"


def test_the_report_page_shows_errors_on_the_form(client):
    stream = LiveStreamFactory()
    client.force_login(UserFactory())
    url = reverse("trust:report", args=["stream", stream.pk])
    client.post(url, {"reason": "spam"})

    again = client.post(url, {"reason": "spam"})
    assert again.status_code == 400
    assert "already reported" in again.content.decode()
    missing = client.post(reverse("trust:report", args=["user", 999999]), {"reason": "spam"})
    assert missing.status_code == 404


def test_the_report_page_needs_an_account_and_ignores_foreign_next_links(client):
    stream = LiveStreamFactory()
    url = reverse("trust:report", args=["stream", stream.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    response = client.post(url, {"reason": "spam", "next": "https://evil.example/"})
    assert response["Location"] == reverse("streams:watch", args=[stream.pk])


def test_the_watch_page_and_profile_offer_a_report_link(client):
    stream = LiveStreamFactory()
    client.force_login(UserFactory())
    watch = client.get(reverse("streams:watch", args=[stream.pk])).content.decode()
    assert reverse("trust:report", args=["stream", stream.pk]) in watch
    profile = client.get(reverse("users:profile", args=[stream.host.username])).content.decode()
    assert reverse("trust:report", args=["user", stream.host.pk]) in profile


def test_partners_report_through_the_api_and_get_json_errors(client):
    message = ChatMessageFactory()
    client.force_login(UserFactory())
    url = "/api/v1/reports/"
    body = {"target_kind": "chat_message", "target_id": message.pk, "reason": "scam"}

    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["target_kind"] == "chat_message"
    repeat = client.post(url, body, content_type="application/json")
    assert repeat.status_code == 409 and repeat.json()["code"] == "already_reported"
    invalid = client.post(url, {**body, "reason": "boring"}, content_type="application/json")
    assert invalid.status_code == 400 and "reason" in invalid.json()["extra"]["fields"]
    missing = client.post(url, {**body, "target_id": 999999}, content_type="application/json")
    assert missing.status_code == 404


def test_the_api_needs_an_account(client):
    response = client.post("/api/v1/reports/", {}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert "code" in response.json()
