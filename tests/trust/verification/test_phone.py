"""Phone verification: a code is texted after commit, expires, survives five wrong
tries, cannot be re-sent too often, and one number belongs to one account."""

import time

import pytest

from tests.factories import UserFactory
from tests.trust.verification.factories import last_text_code, let_time_pass, verified_phone
from trust.verification import services, tasks
from trust.verification.exceptions import (
    AlreadyVerified,
    LayerNotOffered,
    NoPendingPhoneVerification,
    PhoneCodeExhausted,
    PhoneCodeExpired,
    PhoneNumberTaken,
    ResendTooSoon,
    TooManyCodes,
    WrongPhoneCode,
)
from trust.verification.models import DevTextMessage, PhoneCode, Verification
from trust.verification.sms.base import SentText
from trust.verification.sms.dev import DevProvider

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms_dev")]

NEPAL_MOBILE = "+9779841234567"


@pytest.fixture
def texting(django_capture_on_commit_callbacks):
    """Run the after-commit callbacks (the SMS send) of what happens inside."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def start(texting, user, raw_number=NEPAL_MOBILE, region=None) -> Verification:
    with texting():
        return services.start_phone_verification(user=user, raw_number=raw_number, region=region)


def test_the_right_code_verifies_the_number(member, texting):
    start(texting, member, raw_number="984-1234567", region="NP")

    verification = services.confirm_phone_verification(
        user=member, code=last_text_code(NEPAL_MOBILE)
    )

    verification.refresh_from_db()
    assert verification.status == Verification.Status.VERIFIED
    assert verification.subject == NEPAL_MOBILE
    assert verification.evidence == {"region": "NP"}
    assert verification.decided_at is not None
    assert not PhoneCode.objects.filter(verification=verification).exists()


def test_the_text_is_sent_only_after_the_code_is_committed(
    member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.start_phone_verification(user=member, raw_number=NEPAL_MOBILE)
        assert not DevTextMessage.objects.exists()

    assert len(callbacks) == 1
    callbacks[0]()
    assert "Your HaloBuzz code is" in DevTextMessage.objects.get(to=NEPAL_MOBILE).body


def test_codes_are_stored_hashed_and_never_in_the_evidence(member, texting):
    verification = start(texting, member)
    code = last_text_code(NEPAL_MOBILE)

    stored = PhoneCode.objects.get(verification=verification)
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert code not in str(verification.evidence)


def test_a_wrong_code_uses_one_try_and_says_how_many_are_left(member, texting):
    start(texting, member)
    code = last_text_code(NEPAL_MOBILE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    with pytest.raises(WrongPhoneCode, match="4 tries left") as refused:
        services.confirm_phone_verification(user=member, code=wrong)

    assert refused.value.extra == {"attempts_left": 4}
    assert PhoneCode.objects.get().attempts_left == 4
    assert Verification.objects.get(user=member).status == Verification.Status.PENDING


def test_after_five_wrong_codes_even_the_right_one_no_longer_works(member, texting):
    start(texting, member)
    code = last_text_code(NEPAL_MOBILE)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _attempt in range(4):
        with pytest.raises(WrongPhoneCode):
            services.confirm_phone_verification(user=member, code=wrong)

    with pytest.raises(PhoneCodeExhausted):
        services.confirm_phone_verification(user=member, code=wrong)
    with pytest.raises(PhoneCodeExhausted):
        services.confirm_phone_verification(user=member, code=code)

    assert Verification.objects.get(user=member).status == Verification.Status.PENDING


def test_a_code_expires_after_ten_minutes(member, texting):
    start(texting, member)
    code = last_text_code(NEPAL_MOBILE)

    let_time_pass(minutes=10.5)

    with pytest.raises(PhoneCodeExpired):
        services.confirm_phone_verification(user=member, code=code)


def test_a_code_still_works_just_before_it_expires(member, texting):
    start(texting, member)
    let_time_pass(minutes=9.5)

    services.confirm_phone_verification(user=member, code=last_text_code(NEPAL_MOBILE))

    assert Verification.objects.get(user=member).status == Verification.Status.VERIFIED


def test_a_new_code_cannot_be_asked_for_within_a_minute(member, texting):
    start(texting, member)

    with pytest.raises(ResendTooSoon) as refused:
        services.resend_phone_code(user=member)
    assert 55 <= refused.value.extra["retry_after"] <= 60
    # Another number does not get around the wait.
    with pytest.raises(ResendTooSoon):
        services.start_phone_verification(user=member, raw_number="+919876543210")


def test_after_the_cooldown_a_new_code_replaces_the_old_one(member, texting, settings):
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 1
    start(texting, member)
    first_code = last_text_code(NEPAL_MOBILE)
    time.sleep(1.1)

    with texting():
        services.resend_phone_code(user=member)
    second_code = last_text_code(NEPAL_MOBILE)

    if first_code != second_code:  # one in a million they are the same
        with pytest.raises(WrongPhoneCode):
            services.confirm_phone_verification(user=member, code=first_code)
    services.confirm_phone_verification(user=member, code=second_code)
    assert Verification.objects.get(user=member).status == Verification.Status.VERIFIED


def test_an_account_gets_at_most_five_codes_an_hour(member, texting, settings):
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    start(texting, member)
    for _send in range(4):
        with texting():
            services.resend_phone_code(user=member)

    with pytest.raises(TooManyCodes, match="Try again in 12 minutes"):
        services.resend_phone_code(user=member)


def test_a_number_gets_at_most_five_codes_an_hour_whoever_asks(db, texting, settings):
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    for _person in range(5):
        start(texting, UserFactory())

    with pytest.raises(TooManyCodes):
        services.start_phone_verification(user=UserFactory(), raw_number=NEPAL_MOBILE)


def test_a_number_verified_by_another_account_is_refused(member, texting):
    verified_phone(user=UserFactory(), number=NEPAL_MOBILE)

    with pytest.raises(PhoneNumberTaken, match="verified on another account"):
        services.start_phone_verification(user=member, raw_number="9841234567", region="NP")
    assert not DevTextMessage.objects.exists()


def test_when_two_accounts_race_for_one_number_only_the_first_gets_it(member, texting, settings):
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    rival = UserFactory()
    start(texting, member)
    member_code = last_text_code(NEPAL_MOBILE)
    start(texting, rival)
    services.confirm_phone_verification(user=rival, code=last_text_code(NEPAL_MOBILE))

    with pytest.raises(PhoneNumberTaken):
        services.confirm_phone_verification(user=member, code=member_code)

    assert Verification.objects.get(user=rival, kind="phone").status == "verified"
    assert Verification.objects.get(user=member, kind="phone").status == "pending"


def test_verifying_a_new_number_replaces_the_old_one(member, texting):
    old = verified_phone(user=member, number="+351912345678")
    start(texting, member)

    services.confirm_phone_verification(user=member, code=last_text_code(NEPAL_MOBILE))

    old.refresh_from_db()
    assert old.status == Verification.Status.EXPIRED
    assert Verification.objects.get(user=member, status="verified").subject == NEPAL_MOBILE


def test_the_number_already_verified_on_the_account_is_not_texted_again(member, texting):
    verified_phone(user=member, number=NEPAL_MOBILE)

    with pytest.raises(AlreadyVerified):
        services.start_phone_verification(user=member, raw_number=NEPAL_MOBILE)


def test_starting_with_another_number_lapses_the_first_attempt(member, texting, settings):
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    first = start(texting, member)
    second = start(texting, member, raw_number="+5511912345678")

    first.refresh_from_db()
    assert first.status == Verification.Status.EXPIRED
    assert second.status == Verification.Status.PENDING
    assert second.evidence == {"region": "BR"}


def test_confirming_without_asking_for_a_code_says_what_to_do(member):
    with pytest.raises(NoPendingPhoneVerification):
        services.confirm_phone_verification(user=member, code="123456")


def test_pending_attempts_lapse_when_their_code_expires(member, texting):
    verification = start(texting, member)
    let_time_pass(minutes=11)

    assert services.expire_verifications() == 1

    verification.refresh_from_db()
    assert verification.status == Verification.Status.EXPIRED
    assert not PhoneCode.objects.exists()


def test_without_an_sms_provider_the_phone_layer_is_not_offered(member, settings):
    settings.SMS_PROVIDER = ""
    settings.DEBUG = False

    with pytest.raises(LayerNotOffered):
        services.start_phone_verification(user=member, raw_number=NEPAL_MOBILE)


# --- numbers cannot be probed for free ----------------------------------------------


def test_asking_about_a_taken_number_waits_out_the_cooldown_like_a_text(member):
    verified_phone(user=UserFactory(), number=NEPAL_MOBILE)

    with pytest.raises(PhoneNumberTaken):
        services.start_phone_verification(user=member, raw_number=NEPAL_MOBILE)
    with pytest.raises(ResendTooSoon):
        services.start_phone_verification(user=member, raw_number=NEPAL_MOBILE)


def test_asking_about_taken_numbers_counts_against_the_hourly_cap(member, settings):
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    numbers = [f"+97798412345{ending}" for ending in range(60, 66)]
    for number in numbers:
        verified_phone(user=UserFactory(), number=number)

    for number in numbers[:5]:
        with pytest.raises(PhoneNumberTaken):
            services.start_phone_verification(user=member, raw_number=number)
    with pytest.raises(TooManyCodes):
        services.start_phone_verification(user=member, raw_number=numbers[5])


# --- a lapsed attempt keeps no code; the lifetime comes from the settings ------------


def test_starting_again_deletes_the_code_of_the_lapsed_attempt(member, texting, settings):
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    start(texting, member)
    second = start(texting, member, raw_number="+5511912345678")

    assert list(PhoneCode.objects.values_list("verification_id", flat=True)) == [second.pk]


def test_the_text_states_the_lifetime_the_settings_give(member, texting, settings):
    settings.PHONE_CODE_LIFETIME_SECONDS = 90
    start(texting, member)

    assert "It expires in 2 minutes." in DevTextMessage.objects.get(to=NEPAL_MOBILE).body


# --- the text goes out from a Celery task, once -------------------------------------


@pytest.fixture
def queued(monkeypatch):
    """The ids `send_phone_code` was queued with; the task does not run."""
    ids = []
    monkeypatch.setattr(tasks.send_phone_code, "delay", ids.append)
    return ids


def test_only_the_code_rows_id_is_queued_and_the_code_is_made_by_the_task(member, texting, queued):
    verification = start(texting, member)

    phone_code = PhoneCode.objects.get(verification=verification)
    assert queued == [phone_code.pk]
    assert phone_code.code_hash == ""  # no code exists before the worker makes it
    assert not DevTextMessage.objects.exists()

    tasks.send_phone_code(phone_code.pk)

    services.confirm_phone_verification(user=member, code=last_text_code(NEPAL_MOBILE))
    assert Verification.objects.get(user=member).status == Verification.Status.VERIFIED


def test_a_task_run_twice_texts_once(member, texting, queued, monkeypatch):
    sent = []

    def send_text(self, *, to, body):
        sent.append(body)
        return SentText(provider_message_id="dev-1")

    monkeypatch.setattr(DevProvider, "send_text", send_text)
    start(texting, member)

    tasks.send_phone_code(queued[0])
    tasks.send_phone_code(queued[0])  # the broker delivered it again

    assert len(sent) == 1


def test_a_queued_text_for_a_replaced_code_is_not_sent(member, texting, queued, settings):
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    start(texting, member)
    with texting():
        services.resend_phone_code(user=member)
    first_id, second_id = queued

    tasks.send_phone_code(first_id)
    assert not DevTextMessage.objects.exists()
    tasks.send_phone_code(second_id)
    assert DevTextMessage.objects.filter(to=NEPAL_MOBILE).exists()


def test_the_code_lives_from_when_the_task_makes_it(member, texting, queued):
    start(texting, member)
    let_time_pass(minutes=8)  # a long queue

    tasks.send_phone_code(queued[0])

    services.confirm_phone_verification(user=member, code=last_text_code(NEPAL_MOBILE))
    assert Verification.objects.get(user=member).status == Verification.Status.VERIFIED


# --- one client address cannot send without limit -----------------------------------


def test_one_client_address_gets_a_capped_number_of_texts_whatever_the_accounts(
    db, texting, settings
):
    settings.PHONE_CODE_SENDS_PER_HOUR_PER_IP = 3
    numbers = [f"+97798412345{ending}" for ending in range(70, 75)]
    for number in numbers[:3]:
        with texting():
            services.start_phone_verification(
                user=UserFactory(), raw_number=number, client_ip="203.0.113.9"
            )

    with pytest.raises(TooManyCodes):
        services.start_phone_verification(
            user=UserFactory(), raw_number=numbers[3], client_ip="203.0.113.9"
        )
    # Another address, or a caller that names none (no address cap), is not held up.
    with texting():
        services.start_phone_verification(
            user=UserFactory(), raw_number=numbers[3], client_ip="198.51.100.4"
        )
        services.start_phone_verification(user=UserFactory(), raw_number=numbers[4])


def test_resending_counts_against_the_client_address_cap(member, texting, settings):
    settings.PHONE_CODE_SENDS_PER_HOUR_PER_IP = 2
    settings.PHONE_CODE_RESEND_COOLDOWN_SECONDS = 0
    with texting():
        services.start_phone_verification(
            user=member, raw_number=NEPAL_MOBILE, client_ip="203.0.113.9"
        )
        services.resend_phone_code(user=member, client_ip="203.0.113.9")

    with pytest.raises(TooManyCodes):
        services.resend_phone_code(user=member, client_ip="203.0.113.9")
