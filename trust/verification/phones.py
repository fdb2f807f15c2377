"""Phone numbers as people type them, turned into E.164 (libphonenumber's rules).

A number starting with + needs no country; a national number ("984-1234567") is read
in the country the member picks.
"""

from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _
from django_countries import countries

from trust.verification.exceptions import InvalidPhoneNumber

# Numbers a text message can reach. FIXED_LINE_OR_MOBILE: countries (the US, Brazil in
# part) whose plans do not tell the two apart.
TEXTABLE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
MAX_RAW_LENGTH = 40


@dataclass(frozen=True)
class ParsedPhoneNumber:
    e164: str
    international: str
    region: str


def parse_phone_number(*, raw_number: str, region: str | None = None) -> ParsedPhoneNumber:
    """Read `raw_number` (in `region`, an ISO country code, unless it starts with +).

    Raises InvalidPhoneNumber when it cannot be read, is not a valid number, or cannot
    receive text messages (a landline).
    """
    raw_number = (raw_number or "").strip()[:MAX_RAW_LENGTH]
    region = (region or "").upper() or None
    if not raw_number:
        raise InvalidPhoneNumber(_("Enter your phone number."))
    if region is None and not raw_number.startswith(("+", "00")):
        raise InvalidPhoneNumber(
            _("Pick your country, or enter the number with its country code (starting with +).")
        )
    if raw_number.startswith("00"):
        raw_number = "+" + raw_number[2:]
    try:
        number = phonenumbers.parse(raw_number, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber(_("That does not look like a phone number.")) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(_("That is not a valid phone number. Check the digits."))
    if phonenumbers.number_type(number) not in TEXTABLE_TYPES:
        raise InvalidPhoneNumber(
            _("That number cannot receive text messages. Enter a mobile number.")
        )
    return ParsedPhoneNumber(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        international=phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        ),
        region=phonenumbers.region_code_for_number(number) or "",
    )


def format_international(e164: str) -> str:
    """ "+9779841234567" -> "+977 984-1234567" (as stored -> as shown)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def region_choices() -> list[tuple[str, str]]:
    """Countries libphonenumber knows, by name in the active language, with their
    calling code: [("NP", "Nepal (+977)"), ...]."""
    return [
        (code, f"{name} (+{phonenumbers.country_code_for_region(code)})")
        for code, name in countries
        if code in phonenumbers.SUPPORTED_REGIONS
    ]
