"""Numbers as members type them: international and national formats from the
countries we serve, read into E.164 and shown in the international format."""

import pytest

from trust.verification.exceptions import InvalidPhoneNumber
from trust.verification.phones import format_international, parse_phone_number

NUMBERS = [
    # (typed, country picked, E.164, shown)
    ("+977 984-1234567", None, "+9779841234567", "+977 984-1234567"),
    ("9841234567", "NP", "+9779841234567", "+977 984-1234567"),
    ("+91 98765 43210", None, "+919876543210", "+91 98765 43210"),
    ("098765 43210", "IN", "+919876543210", "+91 98765 43210"),
    ("+55 11 91234-5678", None, "+5511912345678", "+55 11 91234-5678"),
    ("(11) 91234-5678", "BR", "+5511912345678", "+55 11 91234-5678"),
    ("+351 912 345 678", None, "+351912345678", "+351 912 345 678"),
    ("912 345 678", "PT", "+351912345678", "+351 912 345 678"),
    ("00351 912 345 678", None, "+351912345678", "+351 912 345 678"),
]


@pytest.mark.parametrize(("typed", "region", "e164", "shown"), NUMBERS)
def test_numbers_from_nepal_india_brazil_and_portugal_are_read_and_formatted(
    typed, region, e164, shown
):
    parsed = parse_phone_number(raw_number=typed, region=region)

    assert parsed.e164 == e164
    assert parsed.international == shown
    assert format_international(e164) == shown


def test_a_number_with_a_country_code_ignores_the_country_picked():
    parsed = parse_phone_number(raw_number="+919876543210", region="NP")

    assert parsed.e164 == "+919876543210"
    assert parsed.region == "IN"


def test_a_national_number_without_a_country_is_refused_with_what_to_do():
    with pytest.raises(InvalidPhoneNumber, match="starting with \\+"):
        parse_phone_number(raw_number="9841234567")


@pytest.mark.parametrize(
    ("typed", "region", "problem"),
    [
        ("", "NP", "Enter your phone number"),
        ("call me maybe", "NP", "does not look like a phone number"),
        ("+977 12", None, "not a valid phone number"),
        ("+977 1-4234567", None, "cannot receive text messages"),  # a Kathmandu landline
    ],
)
def test_bad_numbers_are_refused_with_a_reason(typed, region, problem):
    with pytest.raises(InvalidPhoneNumber, match=problem):
        parse_phone_number(raw_number=typed, region=region)
