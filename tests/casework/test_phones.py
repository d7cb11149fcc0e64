"""Phone normalisation and masking; pure functions, no database."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.phones import PhoneError, mask_phone, normalize_phone

MOBILE_PREFIXES = [
    "811", "812", "813", "821", "822", "852", "853",
    "857", "858", "877", "878", "895", "896",
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+6281234567890", "+6281234567890"),
        ("(0511) 3252 111", "+625113252111"),
        ("0811234567", "+62811234567"),
    ],
)
def test_indonesian_number_in_any_usual_form_normalizes_to_e164(value, e164):
    assert normalize_phone(value) == e164


def error_code(value: str) -> str:
    with pytest.raises(PhoneError) as excinfo:
        normalize_phone(value)
    return excinfo.value.code


@pytest.mark.parametrize("value", ["", "   ", "abc", "081234567", "+6281234567890123", "62"])
def test_unparseable_or_invalid_number_is_phone_invalid(value):
    assert error_code(value) == "phone_invalid"


@pytest.mark.parametrize("value", ["+65 6123 4567", "+1 202 555 0143"])
def test_valid_foreign_number_is_phone_not_indonesian(value):
    assert error_code(value) == "phone_not_indonesian"


def test_invalid_foreign_number_is_phone_invalid():
    assert error_code("+65 123") == "phone_invalid"


def test_phone_error_is_a_value_error_with_code_and_message():
    with pytest.raises(ValueError) as excinfo:
        normalize_phone("abc")
    assert isinstance(excinfo.value, PhoneError)
    assert excinfo.value.code == "phone_invalid"
    assert excinfo.value.message is not None


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+6281234567890", "+62********890"),
        ("+625113252111", "+62*******111"),
        ("", ""),
        ("+62890", "******"),
    ],
)
def test_mask_phone_keeps_country_prefix_and_last_3_digits(value, masked):
    assert mask_phone(value) == masked


@st.composite
def indonesian_mobile_numbers(draw: st.DrawFn) -> str:
    """A local mobile number: "08" followed by 9..11 digits, starting with a real prefix."""
    prefix = draw(st.sampled_from(MOBILE_PREFIXES))
    rest = draw(st.text(alphabet="0123456789", min_size=7, max_size=9))
    return f"0{prefix}{rest}"


@given(indonesian_mobile_numbers())
def test_mobile_number_forms_normalize_to_the_same_e164(local):
    expected = "+62" + local[1:]
    forms = [local, "62" + local[1:], "+62 " + local[1:]]
    assert [normalize_phone(form) for form in forms] == [expected] * 3
    assert normalize_phone(expected) == expected


@given(st.text())
def test_normalize_phone_only_raises_phone_error_on_any_text(value):
    with contextlib.suppress(PhoneError):
        normalize_phone(value)
