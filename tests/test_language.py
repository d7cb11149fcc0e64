"""Every human-facing message in Bahasa Indonesia by default, in English on `Accept-Language: en`.

Machine `code` values stay English in both languages. Messages come from our own catalogue
(locale/id/LC_MESSAGES/django.po), which also overrides the Indonesian of Django REST
framework, simplejwt and Django forms (master copy: locale/third_party_id.po).
"""

import ast
import csv
import gettext
import re
from collections import Counter
from pathlib import Path

import pytest

from casework.models import Case
from tests.factories import PASSWORD, case_payload, make_case

LOCALE = Path(__file__).resolve().parent.parent / "locale"
DJANGO_PO = LOCALE / "id" / "LC_MESSAGES" / "django.po"
DJANGO_MO = LOCALE / "id" / "LC_MESSAGES" / "django.mo"
THIRD_PARTY_PO = LOCALE / "third_party_id.po"

ORDERING_FIELDS = "-created_at, -reference, created_at, reference"
# The PPKS categories of the reference data, as a refused category lists them (by code).
with (Path(__file__).parent.parent / "casework" / "data" / "ppks_categories.csv").open() as rows:
    CATEGORY_CODES = ", ".join(sorted(row["code"] for row in csv.DictReader(rows)))


def headers(lang: str | None) -> dict[str, str]:
    """No header at all is the default case: Bahasa Indonesia."""
    return {"HTTP_ACCEPT_LANGUAGE": lang} if lang else {}


def in_both(indonesian: str, english: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        ("lang", "expected"),
        [pytest.param(None, indonesian, id="id"), pytest.param("en", english, id="en")],
    )


# How the summary names each field: its label (Bahasa Indonesia, English), parents in brackets.
FIELD_WORDS = {
    "category": ("Kategori", "Category"),
    "description": ("Uraian", "Description"),
    "location": ("Lokasi", "Location"),
    "subject": ("Orang yang dilaporkan", "Person reported"),
    "subject.nik": ("NIK (Orang yang dilaporkan)", "NIK (Person reported)"),
    "subject.phone": ("Telepon (Orang yang dilaporkan)", "Phone (Person reported)"),
    "subject.sex": ("Jenis kelamin (Orang yang dilaporkan)", "Sex (Person reported)"),
    "subject.birth_date": ("Tanggal lahir (Orang yang dilaporkan)", "Birth date (Person reported)"),
    "state": ("Status", "State"),
    "ordering": ("Urutan", "Order"),
    "created_after": ("Dilaporkan sejak", "Reported from"),
    "region": ("Wilayah", "Region"),
    "cursor": ("Kursor halaman", "Page cursor"),
}


def invalid(lang: str | None, field: str, code: str, message: str) -> dict:
    """The 400 body of one invalid field, as common.error_responses builds it: the summary
    says one field needs fixing, names it in words and says why."""
    indonesian, english = FIELD_WORDS[field]
    if lang == "en":
        summary = f"1 field needs fixing: {english} ({message.rstrip('.')})"
    else:
        summary = f"1 isian perlu diperbaiki: {indonesian} ({message.rstrip('.')})"
    return {
        "code": "validation_error",
        "message": summary,
        "errors": [{"field": field, "code": code, "message": message}],
    }


def with_subject(**changes: str) -> dict:
    body = case_payload()
    body["subject"] = {**body["subject"], **changes}
    return body


# --- Authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected", "content_language"),
    [
        pytest.param(None, "Data autentikasi tidak disertakan.", "id", id="default"),
        pytest.param("id", "Data autentikasi tidak disertakan.", "id", id="id"),
        pytest.param("fr", "Data autentikasi tidak disertakan.", "id", id="unsupported-fr"),
        pytest.param("en", "Authentication credentials were not provided.", "en", id="en"),
        pytest.param(
            "en-US,en;q=0.9", "Authentication credentials were not provided.", "en", id="en-US"
        ),
    ],
)
def test_no_token_is_401(api, lang, expected, content_language):
    response = api.get("/api/v1/cases/", **headers(lang))
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": expected}
    assert response["Content-Language"] == content_language


@pytest.mark.django_db
@in_both(
    "Tidak ada akun aktif yang cocok dengan data login yang diberikan",
    "No active account found with the given credentials",
)
def test_bad_credentials_are_401(api, bob, lang, expected):
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "bob", "password": f"{PASSWORD}-wrong"},
        format="json",
        **headers(lang),
    )
    assert response.status_code == 401
    assert response.json() == {"code": "no_active_account", "message": expected}


@in_both(
    "Token yang diberikan tidak valid untuk jenis token apa pun",
    "Given token not valid for any token type",
)
def test_invalid_token_is_401(api, lang, expected):
    response = api.get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer not-a-jwt", **headers(lang))
    assert response.status_code == 401
    assert response.json() == {"code": "token_not_valid", "message": expected}


@in_both(
    "Header Authorization harus berisi dua nilai yang dipisahkan spasi",
    "Authorization header must contain two space-delimited values",
)
def test_malformed_authorization_header_is_401(api, lang, expected):
    response = api.get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer a b", **headers(lang))
    assert response.status_code == 401
    assert response.json() == {"code": "authentication_failed", "message": expected}


# --- Validation of a new case ---------------------------------------------------------------------


@pytest.mark.django_db
@in_both("Kolom ini wajib diisi.", "This field is required.")
def test_missing_required_field_is_400_naming_it(as_user, alice, lang, expected):
    body = case_payload()
    del body["description"]
    response = as_user(alice).post("/api/v1/cases/", body, format="json", **headers(lang))
    assert response.status_code == 400
    assert response.json() == invalid(lang, "description", "required", expected)


@pytest.mark.django_db
@in_both(
    "3 isian perlu diperbaiki: Kategori, Uraian, NIK (Orang yang dilaporkan).",
    "3 fields need fixing: Category, Description, NIK (Person reported).",
)
def test_several_invalid_fields_are_counted_and_named_in_words(as_user, alice, lang, expected):
    body = with_subject(nik="12345")
    body["category"] = "XYZ"
    body["description"] = "pendek"
    response = as_user(alice).post("/api/v1/cases/", body, format="json", **headers(lang))
    assert response.status_code == 400
    assert response.json()["message"] == expected
    assert [e["field"] for e in response.json()["errors"]] == [
        "category",
        "description",
        "subject.nik",
    ]


@pytest.mark.django_db
@in_both("Kategori PPKS “XYZ” tidak dikenal.", "Unknown PPKS category “XYZ”.")
def test_unknown_category_is_400(as_user, alice, lang, expected):
    response = as_user(alice).post(
        "/api/v1/cases/", case_payload(category="XYZ"), format="json", **headers(lang)
    )
    assert response.status_code == 400
    assert response.json() == invalid(lang, "category", "does_not_exist", expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("nik", "code", "indonesian", "english"),
    [
        (
            "12345",
            "nik_length",
            "NIK harus terdiri dari tepat 16 digit.",
            "A NIK has exactly 16 digits.",
        ),
        (
            "63710455O5480001",
            "nik_not_digits",
            "NIK hanya boleh berisi angka.",
            "A NIK may only contain digits.",
        ),
        (
            "6371045505480000",
            "nik_zero_serial",
            "Nomor urut pada NIK tidak boleh 0000.",
            "The NIK's serial number cannot be 0000.",
        ),
    ],
)
@pytest.mark.parametrize("lang", [None, "en"], ids=["id", "en"])
def test_bad_nik_is_400_on_subject_nik(as_user, alice, lang, nik, code, indonesian, english):
    response = as_user(alice).post(
        "/api/v1/cases/", with_subject(nik=nik), format="json", **headers(lang)
    )
    assert response.status_code == 400
    expected = english if lang == "en" else indonesian
    assert response.json() == invalid(lang, "subject.nik", code, expected)


@pytest.mark.django_db
@in_both("Nomor telepon tidak valid.", "This is not a valid phone number.")
def test_bad_phone_is_400_on_subject_phone(as_user, alice, lang, expected):
    response = as_user(alice).post(
        "/api/v1/cases/", with_subject(phone="123"), format="json", **headers(lang)
    )
    assert response.status_code == 400
    assert response.json() == invalid(lang, "subject.phone", "phone_invalid", expected)


@pytest.mark.django_db
@in_both(
    "Hanya nomor telepon Indonesia yang dapat disimpan.",
    "Only Indonesian phone numbers can be stored.",
)
def test_foreign_phone_is_400_on_subject_phone(as_user, alice, lang, expected):
    response = as_user(alice).post(
        "/api/v1/cases/", with_subject(phone="+60 12-345 6789"), format="json", **headers(lang)
    )
    assert response.status_code == 400
    assert response.json() == invalid(lang, "subject.phone", "phone_not_indonesian", expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "code", "indonesian", "english"),
    [
        pytest.param(
            case_payload(description="pendek"),
            "description",
            "min_length",
            "Pastikan kolom ini berisi paling sedikit 10 karakter.",
            "Ensure this field has at least 10 characters.",
            id="too-short",
        ),
        pytest.param(
            case_payload(description=None),
            "description",
            "null",
            "Kolom ini tidak boleh bernilai null.",
            "This field may not be null.",
            id="null",
        ),
        pytest.param(
            with_subject(birth_date="15-05-1948"),
            "subject.birth_date",
            "invalid",
            "Format tanggal salah. Gunakan salah satu format berikut: YYYY-MM-DD.",
            "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.",
            id="date-format",
        ),
        pytest.param(
            with_subject(sex="X"),
            "subject.sex",
            "invalid_choice",
            "“X” bukan pilihan yang valid; gunakan salah satu dari: M, F.",
            "“X” is not a valid choice; use one of: M, F.",
            id="choice",
        ),
        pytest.param(
            case_payload(subject="Nenek Aminah"),
            "subject",
            "invalid",
            "Data tidak valid. Seharusnya berupa objek (dictionary), tetapi yang diterima str.",
            "Invalid data. Expected a dictionary, but got str.",
            id="not-an-object",
        ),
        pytest.param(
            case_payload(location={"lat": 114.59, "lon": -3.3}),
            "location",
            "location_outside_indonesia",
            "Koordinat berada di luar Indonesia; periksa apakah lat dan lon tertukar.",
            "The coordinates are outside Indonesia; check that lat and lon are not swapped.",
            id="swapped-coordinates",
        ),
        pytest.param(
            case_payload(state="closed"),
            "state",
            "read_only",
            "Status hanya dapat diubah melalui tindakan alur kerja.",
            "The state changes only through the workflow actions.",
            id="read-only",
        ),
    ],
)
@pytest.mark.parametrize("lang", [None, "en"], ids=["id", "en"])
def test_framework_and_field_messages(as_user, alice, lang, body, field, code, indonesian, english):
    response = as_user(alice).post("/api/v1/cases/", body, format="json", **headers(lang))
    assert response.status_code == 400
    expected = english if lang == "en" else indonesian
    assert response.json() == invalid(lang, field, code, expected)


@pytest.mark.django_db
@in_both(
    "1 isian perlu diperbaiki: Duplikat dari (",
    "1 field needs fixing: Duplicate of (",
)
def test_a_field_the_service_refuses_is_named_in_words_too(as_user, alice, bob, lang, expected):
    case = make_case(alice)
    response = as_user(bob).post(
        f"/api/v1/cases/{case.pk}/reject/",
        {"outcome": "duplicate", "reason": "Laporan ganda."},
        format="json",
        **headers(lang),
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "duplicate_of"
    assert response.json()["message"].startswith(expected)


@pytest.mark.django_db
@in_both(
    "1 isian perlu diperbaiki: Bidang (“x” bukan pilihan yang valid; gunakan salah satu dari: ",
    "1 field needs fixing: Division (“x” is not a valid choice; use one of: ",
)
def test_a_refused_choice_in_a_query_lists_the_valid_ones(as_user, bob, lang, expected):
    response = as_user(bob).get("/api/v1/officers/?division=x", **headers(lang))
    assert response.status_code == 400
    assert response.json()["message"] == f"{expected}rehsos, linjamsos, dayasos, pfm)"


# --- Requests the API refuses before validation -------------------------------------------------


@pytest.mark.django_db
def test_malformed_json_is_400_in_indonesian(as_user, alice):
    response = as_user(alice).post("/api/v1/cases/", "not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": "Format JSON tidak valid - Expecting value: line 1 column 1 (char 0)",
    }


@pytest.mark.django_db
def test_malformed_json_is_400_in_english(as_user, alice):
    response = as_user(alice).post(
        "/api/v1/cases/", "not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": "JSON parse error - Expecting value: line 1 column 1 (char 0)",
    }


@pytest.mark.django_db
@in_both(
    'Jenis media "application/x-www-form-urlencoded" dalam permintaan tidak didukung.',
    'Unsupported media type "application/x-www-form-urlencoded" in request.',
)
def test_wrong_content_type_is_415(as_user, alice, lang, expected):
    response = as_user(alice).post(
        "/api/v1/cases/",
        "category=LUT",
        content_type="application/x-www-form-urlencoded",
        **headers(lang),
    )
    assert response.status_code == 415
    assert response.json() == {"code": "unsupported_media_type", "message": expected}


@pytest.mark.django_db
@in_both("Isi permintaan terlalu besar.", "The request body is too large.")
def test_oversized_body_is_413(as_user, alice, settings, lang, expected):
    settings.MAX_JSON_BODY_BYTES = 1024
    body = case_payload(description="Lansia tinggal sendiri. " * 100)
    response = as_user(alice).post("/api/v1/cases/", body, format="json", **headers(lang))
    assert response.status_code == 413
    assert response.json() == {"code": "request_too_large", "message": expected}


@in_both("Data tidak ditemukan.", "Not found.")
def test_unknown_url_is_404_json(api, lang, expected):
    response = api.get("/api/v1/no-such-thing/", **headers(lang))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": expected}


@pytest.mark.django_db
@in_both("Data tidak ditemukan.", "Not found.")
def test_case_the_user_cannot_see_is_404(as_user, alice, vera, lang, expected):
    case = make_case(alice)
    response = as_user(vera).get(f"/api/v1/cases/{case.pk}/", **headers(lang))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": expected}


@pytest.mark.django_db
@in_both('Metode "DELETE" tidak diizinkan.', 'Method "DELETE" not allowed.')
def test_unsupported_method_is_405(as_user, alice, lang, expected):
    response = as_user(alice).delete("/api/v1/cases/", **headers(lang))
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "message": expected}


@pytest.mark.django_db
@in_both(
    "Idempotency-Key ini sudah pernah dipakai untuk permintaan yang berbeda.",
    "This Idempotency-Key was already used with a different request.",
)
def test_reused_idempotency_key_with_another_body_is_422(as_user, alice, lang, expected):
    api = as_user(alice)
    first = api.post(
        "/api/v1/cases/", case_payload(), format="json", HTTP_IDEMPOTENCY_KEY="hp-alice-1"
    )
    assert first.status_code == 201
    response = api.post(
        "/api/v1/cases/",
        case_payload(urgency="low"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="hp-alice-1",
        **headers(lang),
    )
    assert response.status_code == 422
    assert response.json() == {"code": "idempotency_key_reused", "message": expected}


# --- Query strings of the case list -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "code", "indonesian", "english"),
    [
        pytest.param(
            "ordering=name",
            "ordering",
            "invalid",
            f"Urutkan berdasarkan salah satu dari: {ORDERING_FIELDS}.",
            f"Order by one of: {ORDERING_FIELDS}.",
            id="ordering",
        ),
        pytest.param(
            "state=open",
            "state",
            "invalid_choice",
            "“open” bukan pilihan yang valid; gunakan salah satu dari: "
            "reported, returned, verified, assisted, closed.",
            "“open” is not a valid choice; use one of: "
            "reported, returned, verified, assisted, closed.",
            id="choice-filter",
        ),
        pytest.param(
            "category=XYZ",
            "category",
            "invalid_choice",
            f"“XYZ” bukan pilihan yang valid; gunakan salah satu dari: {CATEGORY_CODES}.",
            f"“XYZ” is not a valid choice; use one of: {CATEGORY_CODES}.",
            id="model-choice-filter",
        ),
        pytest.param(
            "created_after=kemarin",
            "created_after",
            "invalid",
            "Masukkan tanggal/waktu yang valid.",
            "Enter a valid date/time.",
            id="datetime-filter",
        ),
        pytest.param(
            "region=banjarmasin",
            "region",
            "invalid",
            "Kode wilayah berbentuk seperti 63.71 atau 63.71.04.1003.",
            "A region code looks like 63.71 or 63.71.04.1003.",
            id="region-filter",
        ),
    ],
)
@pytest.mark.parametrize("lang", [None, "en"], ids=["id", "en"])
def test_invalid_query_parameter_is_400(
    as_user, bob, lang, query, field, code, indonesian, english
):
    response = as_user(bob).get(f"/api/v1/cases/?{query}", **headers(lang))
    assert response.status_code == 400
    expected = english if lang == "en" else indonesian
    assert response.json() == invalid(lang, field, code, expected)


@pytest.mark.django_db
@in_both("Kursor tidak valid", "Invalid cursor")
def test_invalid_cursor_is_400_naming_it(as_user, bob, lang, expected):
    response = as_user(bob).get("/api/v1/cases/?cursor=garbage", **headers(lang))
    assert response.status_code == 400
    assert response.json() == invalid(lang, "cursor", "invalid_cursor", expected)


# --- Warnings stored on a case ------------------------------------------------------------------

BIRTH_DATE_WARNING = {
    None: "Tanggal lahir yang diisi berbeda dengan tanggal lahir pada NIK.",
    "en": "The birth date entered differs from the birth date in the NIK.",
}


@pytest.mark.django_db
@pytest.mark.parametrize("reporter_lang", [None, "en"], ids=["reported-in-id", "reported-in-en"])
def test_warnings_are_shown_in_the_readers_language(as_user, alice, bob, reporter_lang):
    body = with_subject(birth_date="1950-05-15")  # the NIK 6371045505480001 says 15 May 1948
    created = as_user(alice).post("/api/v1/cases/", body, format="json", **headers(reporter_lang))
    assert created.status_code == 201
    warning = {"field": "subject.birth_date", "code": "nik_birth_date_mismatch"}
    assert created.json()["warnings"] == [{**warning, "message": BIRTH_DATE_WARNING[reporter_lang]}]
    case_id = created.json()["id"]
    # Stored as the English source text, whatever language the reporter used.
    assert Case.objects.get(pk=case_id).warnings == [
        {**warning, "message": BIRTH_DATE_WARNING["en"]}
    ]
    officer = as_user(bob)
    for reader_lang in (None, "en"):
        expected = [{**warning, "message": BIRTH_DATE_WARNING[reader_lang]}]
        detail = officer.get(f"/api/v1/cases/{case_id}/", **headers(reader_lang))
        assert detail.json()["warnings"] == expected
        listed = officer.get("/api/v1/cases/", **headers(reader_lang))
        assert [case["warnings"] for case in listed.json()["results"]] == [expected]


# --- The catalogue itself -----------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{[^{}]*\}")


def read_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) of a PO file's active entries (no header, no obsolete ones); an
    entry with a context is keyed as gettext keys it, `context\x04msgid`."""
    entries: dict[str, tuple[str, bool]] = {}
    current: dict[str, str] = {}
    key = ""
    fuzzy = False

    def flush() -> None:
        if current.get("msgid"):
            context = f"{current['msgctxt']}\x04" if "msgctxt" in current else ""
            entries[context + current["msgid"]] = (current.get("msgstr", ""), fuzzy)

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip() or line.startswith("#~"):
            flush()
            current, fuzzy = {}, False
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            key = "msgstr" if key.startswith("msgstr") else key
            current[key] = ast.literal_eval(value)
    return entries


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = read_po(DJANGO_PO)
    assert len(entries) > 250
    assert [msgid for msgid, (msgstr, _) in entries.items() if not msgstr] == []
    assert [msgid for msgid, (_, fuzzy) in entries.items() if fuzzy] == []
    assert "#, fuzzy" not in DJANGO_PO.read_text(encoding="utf-8")


def test_translations_keep_the_placeholders():
    for path in (DJANGO_PO, THIRD_PARTY_PO):
        for msgid, (msgstr, _) in read_po(path).items():
            assert Counter(PLACEHOLDER.findall(msgstr)) == Counter(PLACEHOLDER.findall(msgid)), (
                msgid
            )


def test_third_party_translations_are_merged_into_django_po():
    ours = read_po(DJANGO_PO)
    missing = {
        msgid: msgstr for msgid, (msgstr, _) in read_po(THIRD_PARTY_PO).items() if msgid not in ours
    }
    assert missing == {}, "merge locale/third_party_id.po (msgcat, see its header)"


def test_compiled_catalogue_matches_django_po():
    with DJANGO_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    compiled = {msgid: msgstr for msgid, msgstr in compiled.items() if msgid}
    source = {msgid: msgstr for msgid, (msgstr, _) in read_po(DJANGO_PO).items()}
    assert compiled == source, "run `manage.py compilemessages --ignore '.venv/*'`"
