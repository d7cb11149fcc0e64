"""NIK parsing, warnings and masking; pure functions, no database."""

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.nik import (
    PROVINCE_CODES,
    Finding,
    NikError,
    ParsedNik,
    mask_nik,
    nik_findings,
    normalize_nik,
    parse_nik,
)

TODAY = date(2026, 6, 1)
KNOWN_REGIONS = frozenset({"63", "63.71", "63.71.04"})
WOMAN_NIK = "6371045505480001"  # Banjarmasin Utara, woman born 15 May 1948
FULLWIDTH_NIK = "".join(chr(ord("\uff10") + int(digit)) for digit in WOMAN_NIK)


def build_nik(
    *,
    province: str = "63",
    regency: str = "71",
    district: str = "04",
    day: int = 15,
    month: int = 5,
    yy: int = 48,
    serial: str = "0001",
) -> str:
    return f"{province}{regency}{district}{day:02d}{month:02d}{yy:02d}{serial}"


def error_code(value: str) -> str:
    with pytest.raises(NikError) as excinfo:
        parse_nik(value, today=TODAY)
    return excinfo.value.code


# --- parsing -----------------------------------------------------------------------------


def test_woman_nik_day_plus_40_is_female():
    parsed = parse_nik(WOMAN_NIK, today=TODAY)
    assert parsed == ParsedNik(
        nik=WOMAN_NIK,
        district_code="63.71.04",
        regency_code="63.71",
        province_code="63",
        sex="F",
        birth_day=15,
        birth_month=5,
        birth_yy=48,
        possible_birth_dates=(date(1948, 5, 15),),
        serial="0001",
    )


def test_man_nik_plain_day_is_male():
    parsed = parse_nik(build_nik(day=15), today=TODAY)
    assert (parsed.sex, parsed.birth_day) == ("M", 15)


@pytest.mark.parametrize(
    ("raw_day", "sex", "day"), [(1, "M", 1), (31, "M", 31), (41, "F", 1), (71, "F", 31)]
)
def test_day_range_edges_decode_sex_and_day(raw_day, sex, day):
    parsed = parse_nik(build_nik(day=raw_day, month=1), today=TODAY)
    assert (parsed.sex, parsed.birth_day) == (sex, day)


def test_child_born_2015_has_both_century_candidates():
    parsed = parse_nik(build_nik(day=20, month=3, yy=15), today=TODAY)
    assert parsed.possible_birth_dates == (date(1915, 3, 20), date(2015, 3, 20))


def test_yy_in_the_future_for_20yy_gives_only_19yy():
    parsed = parse_nik(build_nik(yy=90), today=TODAY)
    assert parsed.possible_birth_dates == (date(1990, 5, 15),)


def test_birth_later_this_year_in_20yy_is_not_a_candidate():
    parsed = parse_nik(build_nik(day=2, month=6, yy=26), today=TODAY)
    assert parsed.possible_birth_dates == (date(1926, 6, 2),)


def test_today_defaults_to_the_current_date():
    assert parse_nik(WOMAN_NIK).possible_birth_dates == (date(1948, 5, 15),)


def test_29_february_with_yy_00_is_valid_as_2000():
    parsed = parse_nik(build_nik(day=29, month=2, yy=0), today=TODAY)
    assert parsed.possible_birth_dates == (date(2000, 2, 29),)


def test_29_february_with_yy_01_is_invalid():
    assert error_code(build_nik(day=29, month=2, yy=1)) == "nik_invalid_date"


def test_29_february_of_a_leap_year_for_a_woman_is_valid():
    parsed = parse_nik(build_nik(day=69, month=2, yy=4), today=TODAY)
    assert (parsed.sex, parsed.possible_birth_dates) == (
        "F",
        (date(1904, 2, 29), date(2004, 2, 29)),
    )


@pytest.mark.parametrize(
    "value",
    ["63 71 04 550548 0001", "6371.04.550548.0001", "6371-0455-0548-0001", " 6371045505480001\t"],
)
def test_spaces_dots_and_dashes_are_normalised(value):
    assert parse_nik(value, today=TODAY).nik == WOMAN_NIK


def test_normalize_nik_keeps_other_characters_for_the_parser_to_reject():
    assert normalize_nik("63.71 04-55a") == "637104" + "55a"


# --- hard errors -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "637104550548000", "63710455054800011"])
def test_wrong_length_is_nik_length(value):
    assert error_code(value) == "nik_length"


@pytest.mark.parametrize("value", ["637104550548000A", "6371O45505480001", FULLWIDTH_NIK])
def test_non_digits_is_nik_not_digits(value):
    assert error_code(value) == "nik_not_digits"


@pytest.mark.parametrize("province", ["99", "00", "10", "20", "37", "54", "66", "77", "83", "97"])
def test_unknown_province_is_rejected(province):
    assert error_code(build_nik(province=province)) == "nik_unknown_province"


@pytest.mark.parametrize("province", ["11", "21", "36", "53", "65", "76", "82", "96"])
def test_known_province_is_accepted(province):
    assert parse_nik(build_nik(province=province), today=TODAY).province_code == province


@pytest.mark.parametrize(("regency", "district"), [("00", "04"), ("71", "00")])
def test_zero_regency_or_district_is_nik_invalid_region(regency, district):
    assert error_code(build_nik(regency=regency, district=district)) == "nik_invalid_region"


@pytest.mark.parametrize(
    ("day", "month", "yy"),
    [(0, 5, 48), (32, 5, 48), (40, 5, 48), (72, 5, 48), (15, 0, 48), (15, 13, 48), (31, 2, 48)],
)
def test_impossible_date_is_nik_invalid_date(day, month, yy):
    assert error_code(build_nik(day=day, month=month, yy=yy)) == "nik_invalid_date"


def test_date_in_the_future_in_both_centuries_is_nik_invalid_date():
    with pytest.raises(NikError) as excinfo:
        parse_nik(build_nik(day=15, month=5, yy=26), today=date(1926, 5, 14))
    assert excinfo.value.code == "nik_invalid_date"


def test_serial_0000_is_nik_zero_serial():
    assert error_code(build_nik(serial="0000")) == "nik_zero_serial"


def test_serial_0001_is_accepted():
    assert parse_nik(build_nik(serial="0001"), today=TODAY).serial == "0001"


def test_nik_error_is_a_value_error_with_code_and_message():
    with pytest.raises(ValueError) as excinfo:
        parse_nik("", today=TODAY)
    assert isinstance(excinfo.value, NikError)
    assert excinfo.value.code == "nik_length"
    assert excinfo.value.message is not None


# --- warnings ----------------------------------------------------------------------------


def findings_for(value: str = WOMAN_NIK, **overrides) -> list[str]:
    arguments = {"sex": None, "birth_date": None, "known_region_codes": KNOWN_REGIONS}
    arguments.update(overrides)
    return [finding.code for finding in nik_findings(parse_nik(value, today=TODAY), **arguments)]


def test_matching_data_gives_no_findings():
    assert findings_for(sex="F", birth_date=date(1948, 5, 15)) == []


def test_unknown_regency_in_known_province_warns():
    findings = nik_findings(
        parse_nik(build_nik(regency="99"), today=TODAY),
        sex=None,
        birth_date=None,
        known_region_codes=KNOWN_REGIONS,
    )
    assert [(f.code, f.field) for f in findings] == [("nik_unknown_regency", "subject.nik")]
    assert isinstance(findings[0], Finding)


def test_unknown_district_in_known_regency_warns():
    findings = nik_findings(
        parse_nik(build_nik(district="99"), today=TODAY),
        sex=None,
        birth_date=None,
        known_region_codes=KNOWN_REGIONS,
    )
    assert [(f.code, f.field) for f in findings] == [("nik_unknown_district", "subject.nik")]


def test_unknown_regency_does_not_also_warn_about_the_district():
    assert findings_for(build_nik(regency="99", district="99")) == ["nik_unknown_regency"]


def test_region_of_another_province_is_not_judged():
    assert findings_for(build_nik(province="64", regency="99", district="99")) == []


@pytest.mark.parametrize("known_region_codes", [None, frozenset()])
def test_no_region_list_gives_no_region_warning(known_region_codes):
    assert findings_for(build_nik(regency="99"), known_region_codes=known_region_codes) == []


def test_sex_mismatch_warns_on_subject_sex():
    findings = nik_findings(
        parse_nik(WOMAN_NIK, today=TODAY), sex="M", birth_date=None, known_region_codes=None
    )
    assert [(f.code, f.field) for f in findings] == [("nik_sex_mismatch", "subject.sex")]


@pytest.mark.parametrize("sex", [None, "", "F"])
def test_sex_missing_or_matching_does_not_warn(sex):
    assert findings_for(sex=sex) == []


def test_birth_date_mismatch_warns_on_subject_birth_date():
    findings = nik_findings(
        parse_nik(WOMAN_NIK, today=TODAY),
        sex=None,
        birth_date=date(1948, 5, 16),
        known_region_codes=None,
    )
    assert [(f.code, f.field) for f in findings] == [
        ("nik_birth_date_mismatch", "subject.birth_date")
    ]


@pytest.mark.parametrize("birth_date", [date(1948, 6, 15), date(2048, 5, 15), date(1848, 5, 15)])
def test_birth_date_with_other_month_or_century_warns(birth_date):
    assert findings_for(birth_date=birth_date) == ["nik_birth_date_mismatch"]


@pytest.mark.parametrize("birth_date", [date(1915, 3, 20), date(2015, 3, 20)])
def test_birth_date_in_either_possible_century_does_not_warn(birth_date):
    assert findings_for(build_nik(day=20, month=3, yy=15), birth_date=birth_date) == []


def test_all_warnings_can_fire_together():
    value = build_nik(district="99", day=15)
    assert findings_for(value, sex="F", birth_date=date(1948, 5, 16)) == [
        "nik_unknown_district",
        "nik_sex_mismatch",
        "nik_birth_date_mismatch",
    ]


# --- masking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("6371045505480001", "6371**********01"),
        ("", ""),
        ("123456", "******"),
        ("1234567", "1234*67"),
    ],
)
def test_mask_nik_keeps_first_4_and_last_2(value, masked):
    assert mask_nik(value) == masked


# --- properties --------------------------------------------------------------------------


@given(
    province=st.sampled_from(sorted(PROVINCE_CODES)),
    regency=st.integers(1, 99),
    district=st.integers(1, 99),
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sex=st.sampled_from(["M", "F"]),
    serial=st.integers(1, 9999),
)
def test_valid_components_round_trip(province, regency, district, birth_date, sex, serial):
    raw_day = birth_date.day + (40 if sex == "F" else 0)
    value = build_nik(
        province=province,
        regency=f"{regency:02d}",
        district=f"{district:02d}",
        day=raw_day,
        month=birth_date.month,
        yy=birth_date.year % 100,
        serial=f"{serial:04d}",
    )
    parsed = parse_nik(value, today=TODAY)
    assert parsed.province_code == province
    assert parsed.regency_code == f"{province}.{regency:02d}"
    assert parsed.district_code == f"{province}.{regency:02d}.{district:02d}"
    assert parsed.sex == sex
    assert (parsed.birth_day, parsed.birth_month, parsed.birth_yy) == (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    )
    assert birth_date in parsed.possible_birth_dates
    assert parsed.serial == f"{serial:04d}"


@given(st.text())
def test_parse_nik_only_raises_nik_error_on_any_text(value):
    with contextlib.suppress(NikError):
        parse_nik(value, today=TODAY)


@given(st.text(alphabet="0123456789", min_size=16, max_size=16))
def test_any_16_digits_parse_or_raise_nik_error(value):
    try:
        parsed = parse_nik(value, today=TODAY)
    except NikError as error:
        assert error.code in {
            "nik_unknown_province",
            "nik_invalid_region",
            "nik_invalid_date",
            "nik_zero_serial",
        }
    else:
        assert parsed.nik == value
        assert 1 <= len(parsed.possible_birth_dates) <= 2
