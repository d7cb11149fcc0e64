"""Case intake, `POST /api/v1/cases/`: the request matrix.

What it proves: a valid report is filed with exactly the shape of API.md, and bad input gets a
clear 4xx in the one error shape (`code`, `errors[].field` dotted, `errors[].code`), never a 500,
never a partial write. Messages are not asserted here: their language has its own tests.
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from casework.models import (
    Case,
    Category,
    IdempotencyRecord,
    ReferenceCounter,
    Region,
    Subject,
)
from tests.factories import case_payload

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"
JSON = "application/json"
REFERENCE = re.compile(r"^6371-\d{4}-\d{6}$")
CASE_KEYS = {
    "id",
    "reference",
    "state",
    "category",
    "urgency",
    "region",
    "address",
    "location",
    "description",
    "observed_at",
    "created_at",
    "updated_at",
    "subject",
    "reported_by",
    "assigned_to",
    "due_at",
    "overdue",
    "outcome",
    "available_transitions",
    "warnings",
}
SUBJECT_KEYS = {"name", "nik", "sex", "birth_date", "age_estimate", "phone"}
WOMAN_NIK = "6371045505480001"  # Banjarmasin Utara, woman born 15 May 1948 (the payload's subject)
OMIT = object()  # marks a key to leave out of the body


# --- helpers -----------------------------------------------------------------------------


def subject(**overrides):
    body = dict(case_payload()["subject"])
    for name, value in overrides.items():
        if value is OMIT:
            body.pop(name, None)
        else:
            body[name] = value
    return body


def with_subject(**overrides):
    return case_payload(subject=subject(**overrides))


def without(*path):
    """The valid payload with one (possibly nested) key removed."""
    body = case_payload()
    target = body
    for name in path[:-1]:
        target = target[name]
    del target[path[-1]]
    return body


def post(client, body, **headers):
    return client.post(URL, body, format="json", headers=headers or None)


def post_raw(client, raw, content_type=JSON, **headers):
    return client.post(URL, raw, content_type=content_type, headers=headers or None)


def field_errors(response):
    return sorted((e["field"], e["code"]) for e in response.json().get("errors", []))


def assert_rejected(response, status, code, errors=None):
    """The one error shape; `errors` the exact (field, code) pairs, or None for no field errors."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(JSON)
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    if errors is None:
        assert "errors" not in body
    else:
        assert field_errors(response) == sorted(errors)
        assert all(set(e) == {"field", "code", "message"} for e in body["errors"])


def assert_created(response):
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == CASE_KEYS
    assert set(body["subject"]) == SUBJECT_KEYS
    return body


def warning_pairs(body):
    return sorted((w["field"], w["code"]) for w in body["warnings"])


def db_state():
    return {
        "cases": Case.objects.count(),
        "subjects": Subject.objects.count(),
        "idempotency_records": IdempotencyRecord.objects.count(),
        "reference_counters": sorted(
            ReferenceCounter.objects.values_list("regency_id", "year", "last_number")
        ),
    }


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def client(api):
    # A 500 must show up as a response to assert on, not as an exception raised into the test.
    api.raise_request_exception = False
    return api


@pytest.fixture
def volunteer(client, alice):
    client.force_authenticate(alice)
    return client


@pytest.fixture
def nothing_written(db):
    """Call it after a rejected request: no Case, Subject, IdempotencyRecord or counter change."""
    before = db_state()

    def check():
        assert db_state() == before

    return check


# --- the valid report --------------------------------------------------------------------


def test_volunteer_files_a_case_201_with_the_full_shape_of_the_contract(volunteer, alice):
    response = post(volunteer, case_payload())

    body = assert_created(response)
    assert REFERENCE.fullmatch(body["reference"])
    assert body["state"] == "reported"
    assert body["category"] == "LUT"
    assert body["urgency"] == "high"
    assert body["region"] == {
        "code": "63.71.04.1003",
        "name": Region.objects.get(code="63.71.04.1003").name,
    }
    assert body["address"] == "Jl. Sungai Andai No. 12, RT 05"
    assert body["location"] == {"lat": -3.286, "lon": 114.5689}
    assert body["description"] == case_payload()["description"]
    assert body["observed_at"] == "2026-11-20T09:30:00+08:00"  # shown in WITA
    assert body["created_at"].endswith("+08:00")
    assert body["updated_at"].endswith("+08:00")
    assert body["subject"] == {
        "name": "Nenek Aminah",
        "nik": WOMAN_NIK,  # the reporter sees the full NIK and phone
        "sex": "F",
        "birth_date": "1948-05-15",
        "phone": "+6281234567890",  # normalized from "0812-3456-7890"
        "age_estimate": None,  # the birth date is known
    }
    assert body["reported_by"] == {"id": alice.pk, "username": "alice", "full_name": "Alice"}
    assert body["assigned_to"] is None
    assert body["overdue"] is False
    assert not body["outcome"]
    assert isinstance(body["available_transitions"], list)
    assert all(isinstance(name, str) for name in body["available_transitions"])
    assert body["warnings"] == []


def test_the_stored_case_matches_the_request(volunteer, alice):
    body = assert_created(post(volunteer, case_payload()))

    case = Case.objects.select_related("subject").get(pk=body["id"])
    assert str(case.id) == body["id"]
    assert case.reference == body["reference"]
    assert case.state == "reported"
    assert case.category_id == "LUT"
    assert case.urgency == "high"
    assert case.region_id == "63.71.04.1003"
    assert case.regency_id == "63.71"
    assert case.address == "Jl. Sungai Andai No. 12, RT 05"
    assert (case.latitude, case.longitude) == (-3.286, 114.5689)
    assert case.description == case_payload()["description"]
    assert case.observed_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert case.reported_by == alice
    assert case.assigned_to is None
    assert case.warnings == []
    person = case.subject
    assert (person.name, person.nik, person.sex, person.phone) == (
        "Nenek Aminah",
        WOMAN_NIK,
        "F",
        "+6281234567890",
    )
    assert person.birth_date.isoformat() == "1948-05-15"
    year = timezone.localtime(case.created_at).year
    assert body["reference"].startswith(f"6371-{year}-")
    counter = ReferenceCounter.objects.get(regency_id="63.71", year=year)
    assert counter.last_number == int(body["reference"][-6:])
    assert (Case.objects.count(), Subject.objects.count()) == (1, 1)
    assert IdempotencyRecord.objects.count() == 0


def test_urgency_omitted_defaults_to_normal(volunteer):
    body = case_payload()
    del body["urgency"]

    created = assert_created(post(volunteer, body))

    assert created["urgency"] == "normal"
    assert Case.objects.get(pk=created["id"]).urgency == "normal"


@pytest.mark.parametrize("value", [OMIT, None], ids=["omitted", "null"])
def test_observed_at_not_given_is_the_creation_time(volunteer, value):
    body = case_payload()
    if value is OMIT:
        del body["observed_at"]
    else:
        body["observed_at"] = value
    before = timezone.now()

    created = assert_created(post(volunteer, body))

    case = Case.objects.get(pk=created["id"])
    assert before <= case.observed_at <= timezone.now()
    assert case.observed_at == case.created_at
    assert created["observed_at"] == created["created_at"]


def test_location_address_and_optional_subject_fields_may_be_omitted(volunteer):
    body = case_payload(subject={"name": "Anak jalanan tanpa nama"})
    del body["location"], body["address"]

    created = assert_created(post(volunteer, body))

    assert created["location"] is None
    assert created["address"] == ""
    assert created["subject"] == {
        "name": "Anak jalanan tanpa nama",
        "nik": "",
        "sex": "",
        "birth_date": None,
        "phone": "",
        "age_estimate": None,
    }
    assert created["warnings"] == []
    case = Case.objects.select_related("subject").get(pk=created["id"])
    assert (case.latitude, case.longitude, case.address) == (None, None, "")
    assert (case.subject.nik, case.subject.sex, case.subject.birth_date, case.subject.phone) == (
        "",
        "",
        None,
        "",
    )


@pytest.mark.parametrize("nik", [OMIT, "", None, "   "], ids=["omitted", "empty", "null", "blank"])
def test_nik_is_optional(volunteer, nik):
    created = assert_created(post(volunteer, with_subject(nik=nik)))

    assert created["subject"]["nik"] == ""
    assert created["warnings"] == []
    assert Subject.objects.get().nik == ""


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"description": "x" * 10}, id="description-10-chars"),
        pytest.param({"description": "x" * 5000}, id="description-5000-chars"),
        pytest.param({"address": "a" * 300}, id="address-300-chars"),
        pytest.param({"address": ""}, id="address-empty"),
        pytest.param({"location": None}, id="location-null"),
        pytest.param({"location": {"lat": "-3.286", "lon": "114.5689"}}, id="location-strings"),
        pytest.param({"region": "63.71"}, id="region-regency"),
        pytest.param({"region": "63.71.04"}, id="region-district"),
        pytest.param({"region": "63.10.01.1007"}, id="region-other-regency-village"),
        pytest.param({"urgency": "emergency"}, id="urgency-emergency"),
        pytest.param({"urgency": "high"}, id="urgency-high"),
        pytest.param({"urgency": "normal"}, id="urgency-normal"),
        pytest.param({"urgency": "low"}, id="urgency-low"),
        pytest.param({"subject": subject(name="n" * 200)}, id="name-200-chars"),
        pytest.param({"subject": subject(sex=OMIT)}, id="sex-omitted"),
        pytest.param({"subject": subject(sex="")}, id="sex-empty"),
        pytest.param({"subject": subject(sex=None)}, id="sex-null"),
        pytest.param({"subject": subject(birth_date=None)}, id="birth-date-null"),
        pytest.param(
            {"subject": subject(nik=OMIT, birth_date="1900-01-01")}, id="birth-date-1900-01-01"
        ),
        pytest.param({"subject": subject(phone="")}, id="phone-empty"),
        pytest.param({"subject": subject(phone=None)}, id="phone-null"),
        pytest.param({"subject": subject(phone="   ")}, id="phone-blank"),
    ],
)
def test_valid_variants_are_accepted(volunteer, overrides):
    created = assert_created(post(volunteer, case_payload(**overrides)))

    assert Case.objects.filter(pk=created["id"]).exists()


def test_birth_date_today_is_accepted(volunteer):
    today = timezone.localdate().isoformat()

    created = assert_created(post(volunteer, with_subject(nik=OMIT, birth_date=today)))

    assert created["subject"]["birth_date"] == today


def test_region_of_another_regency_gets_that_regencys_reference(volunteer):
    created = assert_created(post(volunteer, case_payload(region="63.10.01.1007")))

    assert re.fullmatch(r"6310-\d{4}-\d{6}", created["reference"])
    assert Case.objects.get(pk=created["id"]).regency_id == "63.10"


# --- who may file ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["alice", "vera", "bob", "tono", "carol", "dina"])
def test_volunteers_officers_and_supervisors_can_file(client, request, username):
    user = request.getfixturevalue(username)
    client.force_authenticate(user)

    created = assert_created(post(client, case_payload()))

    assert created["reported_by"]["id"] == user.pk
    assert Case.objects.get(pk=created["id"]).reported_by == user


@pytest.mark.parametrize("key", [None, "admin-retry-1"], ids=["no-key", "with-key"])
def test_admin_cannot_file_403_permission_denied(client, adam, nothing_written, key):
    client.force_authenticate(adam)
    headers = {"Idempotency-Key": key} if key else {}

    assert_rejected(post(client, case_payload(), **headers), 403, "permission_denied")
    nothing_written()


def test_admin_is_refused_403_before_the_body_is_looked_at(client, adam, nothing_written):
    client.force_authenticate(adam)

    assert_rejected(post(client, {"description": "x"}), 403, "permission_denied")
    nothing_written()


def test_no_token_is_401(client, nothing_written):
    response = post(client, case_payload())

    assert_rejected(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    nothing_written()


def test_a_bad_token_is_401(client, nothing_written):
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert_rejected(post(client, case_payload()), 401, "token_not_valid")
    nothing_written()


# --- required fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("category",), "category"),
        (("region",), "region"),
        (("description",), "description"),
        (("subject",), "subject"),
        (("subject", "name"), "subject.name"),
        (("location", "lat"), "location.lat"),
        (("location", "lon"), "location.lon"),
    ],
    ids=lambda value: ".".join(value) if isinstance(value, tuple) else None,
)
def test_a_missing_required_field_is_400_naming_it(volunteer, nothing_written, path, field):
    response = post(volunteer, without(*path))

    assert_rejected(response, 400, "validation_error", [(field, "required")])
    nothing_written()


# --- field by field: category, region, sizes ----------------------------------------------

INVALID_FIELDS = [
    # category
    pytest.param({"category": "XYZ"}, [("category", "does_not_exist")], id="category-unknown"),
    pytest.param({"category": "lut"}, [("category", "does_not_exist")], id="category-lowercase"),
    pytest.param({"category": None}, [("category", "null")], id="category-null"),
    pytest.param({"category": ""}, [("category", "blank")], id="category-empty"),
    # region
    pytest.param({"region": "63.71.99.9999"}, [("region", "unknown_region")], id="region-unknown"),
    pytest.param({"region": "63"}, [("region", "unknown_region")], id="region-province"),
    pytest.param({"region": "64.71"}, [("region", "unknown_region")], id="region-kaltim"),
    pytest.param(
        {"region": "31.71.01.1001"}, [("region", "unknown_region")], id="region-jakarta-village"
    ),
    pytest.param({"region": "63.71."}, [("region", "unknown_region")], id="region-trailing-dot"),
    pytest.param({"region": "63..71"}, [("region", "unknown_region")], id="region-double-dot"),
    pytest.param({"region": "6371"}, [("region", "unknown_region")], id="region-no-dots"),
    pytest.param({"region": "63.7%"}, [("region", "unknown_region")], id="region-wildcard"),
    pytest.param({"region": "abc"}, [("region", "unknown_region")], id="region-letters"),
    pytest.param(
        {"region": "63.71.04.1003.1"}, [("region", "unknown_region")], id="region-too-long"
    ),
    pytest.param({"region": ""}, [("region", "blank")], id="region-empty"),
    pytest.param({"region": "   "}, [("region", "unknown_region")], id="region-blank"),
    # A code is taken as written, as the schema's pattern says: spaces are no part of one.
    pytest.param({"region": " 63.71.04.1003 "}, [("region", "unknown_region")], id="region-padded"),
    pytest.param({"region": None}, [("region", "null")], id="region-null"),
    pytest.param({"region": ["63.71"]}, [("region", "invalid")], id="region-list"),
    pytest.param({"region": {"code": "63.71"}}, [("region", "invalid")], id="region-object"),
    # sizes and blanks
    pytest.param({"description": "x" * 9}, [("description", "min_length")], id="description-9"),
    pytest.param(
        {"description": "  short   "}, [("description", "min_length")], id="description-trimmed"
    ),
    pytest.param(
        {"description": "x" * 5001}, [("description", "max_length")], id="description-5001"
    ),
    pytest.param({"description": ""}, [("description", "blank")], id="description-empty"),
    pytest.param({"description": " " * 20}, [("description", "blank")], id="description-spaces"),
    pytest.param({"description": None}, [("description", "null")], id="description-null"),
    pytest.param({"description": True}, [("description", "invalid")], id="description-bool"),
    pytest.param({"address": "a" * 301}, [("address", "max_length")], id="address-301"),
    pytest.param({"address": ["Jl."]}, [("address", "invalid")], id="address-list"),
    pytest.param(
        {"subject": subject(name="n" * 201)}, [("subject.name", "max_length")], id="name-201"
    ),
    pytest.param({"subject": subject(name="")}, [("subject.name", "blank")], id="name-empty"),
    pytest.param({"subject": subject(name="   ")}, [("subject.name", "blank")], id="name-blank"),
    pytest.param({"subject": subject(name=None)}, [("subject.name", "null")], id="name-null"),
    pytest.param(
        {"subject": subject(nik="6" * 33)}, [("subject.nik", "max_length")], id="nik-33-chars"
    ),
    pytest.param(
        {"subject": subject(phone="0" * 33)}, [("subject.phone", "max_length")], id="phone-33"
    ),
    # sex, urgency
    pytest.param({"subject": subject(sex="X")}, [("subject.sex", "invalid_choice")], id="sex-X"),
    pytest.param({"subject": subject(sex="f")}, [("subject.sex", "invalid_choice")], id="sex-f"),
    pytest.param(
        {"subject": subject(sex="female")}, [("subject.sex", "invalid_choice")], id="sex-word"
    ),
    pytest.param({"urgency": "critical"}, [("urgency", "invalid_choice")], id="urgency-unknown"),
    pytest.param({"urgency": "HIGH"}, [("urgency", "invalid_choice")], id="urgency-uppercase"),
    pytest.param({"urgency": ""}, [("urgency", "invalid_choice")], id="urgency-empty"),
    pytest.param({"urgency": None}, [("urgency", "null")], id="urgency-null"),
    pytest.param({"urgency": 1}, [("urgency", "invalid_choice")], id="urgency-number"),
]


@pytest.mark.parametrize(("overrides", "errors"), INVALID_FIELDS)
def test_an_invalid_field_is_400_naming_it(volunteer, nothing_written, overrides, errors):
    assert_rejected(post(volunteer, case_payload(**overrides)), 400, "validation_error", errors)
    nothing_written()


def test_an_inactive_category_is_400_like_an_unknown_one(volunteer, nothing_written):
    Category.objects.filter(code="LUT").update(is_active=False)

    response = post(volunteer, case_payload())

    assert_rejected(response, 400, "validation_error", [("category", "does_not_exist")])
    nothing_written()


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"category": 12}, id="category-number"),
        pytest.param({"category": ["LUT"]}, id="category-list"),
        pytest.param({"category": {"code": "LUT"}}, id="category-object"),
        pytest.param({"region": 6371}, id="region-integer"),
        pytest.param({"region": 63.71}, id="region-float-that-looks-like-a-code"),
    ],
)
def test_a_code_of_the_wrong_type_is_400_invalid(volunteer, nothing_written, overrides):
    name = next(iter(overrides))

    response = post(volunteer, case_payload(**overrides))

    assert_rejected(response, 400, "validation_error", [(name, "invalid")])
    nothing_written()


# --- the Idempotency-Key header ----------------------------------------------------------


@pytest.mark.parametrize("key", ["", "   ", "k" * 256], ids=["empty", "blank", "256-chars"])
def test_a_bad_idempotency_key_is_400_naming_the_header(volunteer, nothing_written, key):
    response = post(volunteer, case_payload(), **{"Idempotency-Key": key})

    assert_rejected(
        response, 400, "validation_error", [("Idempotency-Key", "invalid_idempotency_key")]
    )
    nothing_written()


def test_a_255_character_idempotency_key_is_accepted(volunteer):
    assert_created(post(volunteer, case_payload(), **{"Idempotency-Key": "k" * 255}))

    assert IdempotencyRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        pytest.param({"category": "XYZ"}, [("category", "does_not_exist")], id="bad-category"),
        pytest.param(
            {"subject": subject(nik="9971045505480001")},
            [("subject.nik", "nik_unknown_province")],
            id="bad-nik",
        ),
        pytest.param({"colour": "red"}, [("colour", "unknown_field")], id="unknown-field"),
    ],
)
def test_a_rejected_request_with_a_key_stores_nothing(
    volunteer, nothing_written, overrides, errors
):
    response = post(volunteer, case_payload(**overrides), **{"Idempotency-Key": "try-1"})

    assert_rejected(response, 400, "validation_error", errors)
    nothing_written()


# --- bodies that are not a case object ---------------------------------------------------

NOT_AN_OBJECT = [(None, "invalid")]
REQUIRED = [
    ("category", "required"),
    ("region", "required"),
    ("description", "required"),
    ("subject", "required"),
]


@pytest.mark.parametrize(
    ("raw", "code", "errors"),
    [
        pytest.param("[]", "validation_error", NOT_AN_OBJECT, id="empty-list"),
        pytest.param(
            json.dumps([case_payload()]), "validation_error", NOT_AN_OBJECT, id="list-of-cases"
        ),
        pytest.param('"a case"', "validation_error", NOT_AN_OBJECT, id="string"),
        pytest.param("42", "validation_error", NOT_AN_OBJECT, id="number"),
        pytest.param("true", "validation_error", NOT_AN_OBJECT, id="boolean"),
        pytest.param("null", "validation_error", [(None, "null")], id="null"),
        pytest.param("", "validation_error", REQUIRED, id="empty-body"),
        pytest.param("{}", "validation_error", REQUIRED, id="empty-object"),
        pytest.param("{", "parse_error", None, id="truncated"),
        pytest.param('{"category": "LUT",}', "parse_error", None, id="trailing-comma"),
        pytest.param("{'category': 'LUT'}", "parse_error", None, id="single-quotes"),
        pytest.param('{"category": "LUT"} {}', "parse_error", None, id="two-documents"),
        pytest.param(
            json.dumps(case_payload()).replace("-3.286", "NaN"), "parse_error", None, id="NaN"
        ),
        pytest.param(
            json.dumps(case_payload()).replace("-3.286", "Infinity"),
            "parse_error",
            None,
            id="Infinity",
        ),
        pytest.param(
            json.dumps(case_payload()).replace("114.5689", "-Infinity"),
            "parse_error",
            None,
            id="minus-Infinity",
        ),
        pytest.param(
            '{"category": ' + "9" * 5000 + "}", "parse_error", None, id="5000-digit-integer"
        ),
        pytest.param(b'{"category": "\xff\xfe"}', "parse_error", None, id="invalid-utf8"),
    ],
)
def test_a_body_that_is_not_a_case_object_is_400(volunteer, nothing_written, raw, code, errors):
    assert_rejected(post_raw(volunteer, raw), 400, code, errors)
    nothing_written()


@pytest.mark.parametrize("key", [None, "junk-1"], ids=["no-key", "with-key"])
def test_a_body_that_is_not_an_object_is_400_with_an_idempotency_key_too(
    volunteer, nothing_written, key
):
    headers = {"Idempotency-Key": key} if key else {}

    assert_rejected(
        post_raw(volunteer, "[1, 2]", **headers), 400, "validation_error", NOT_AN_OBJECT
    )
    nothing_written()


def test_a_body_over_the_size_limit_is_413(volunteer, nothing_written, settings):
    raw = json.dumps(case_payload(description="x" * (settings.MAX_JSON_BODY_BYTES + 1)))

    assert_rejected(post_raw(volunteer, raw), 413, "request_too_large")
    nothing_written()


def test_an_overflowing_number_is_400_on_the_field(volunteer, nothing_written):
    raw = json.dumps(case_payload()).replace("-3.286", "1e400")  # parses as float('inf')

    assert_rejected(
        post_raw(volunteer, raw), 400, "validation_error", [("location.lat", "invalid")]
    )
    nothing_written()


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_400_parse_error(volunteer, nothing_written, depth):
    raw = '{"subject": ' + "[" * depth + "]" * depth + "}"

    assert_rejected(post_raw(volunteer, raw), 400, "parse_error")
    nothing_written()


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml",
        "text/json",
    ],
)
def test_a_body_that_is_not_json_is_415(volunteer, nothing_written, content_type):
    response = post_raw(volunteer, json.dumps(case_payload()), content_type=content_type)

    assert_rejected(response, 415, "unsupported_media_type")
    nothing_written()


def test_json_with_a_charset_parameter_is_accepted(volunteer):
    raw = json.dumps(case_payload())

    assert_created(post_raw(volunteer, raw, content_type="application/json; charset=utf-8"))


# --- NUL characters and junk -------------------------------------------------------------

NUL = "\u0000"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"subject": subject(name=f"Nenek{NUL}Aminah")}, "subject.name", id="name"),
        pytest.param({"description": f"Lansia tinggal{NUL} sendiri"}, "description", id="desc"),
        pytest.param({"description": NUL * 20}, "description", id="description-all-nul"),
        pytest.param({"address": f"Jl. Sungai{NUL}"}, "address", id="address"),
        pytest.param({"subject": subject(nik=f"6371{NUL}045505480001")}, "subject.nik", id="nik"),
        pytest.param({"subject": subject(phone=f"0812{NUL}34567890")}, "subject.phone", id="phone"),
        pytest.param({"region": f"63.71{NUL}"}, "region", id="region"),
    ],
)
def test_a_nul_character_is_400_never_a_500(volunteer, nothing_written, overrides, field):
    response = post(volunteer, case_payload(**overrides))

    assert_rejected(response, 400, "validation_error", [(field, "null_characters_not_allowed")])
    nothing_written()


def test_a_nul_character_in_the_category_is_400(volunteer, nothing_written):
    response = post(volunteer, case_payload(category=f"LUT{NUL}"))

    assert_rejected(
        response, 400, "validation_error", [("category", "null_characters_not_allowed")]
    )
    nothing_written()


def nested(depth, leaf):
    value = leaf
    for level in range(depth):
        value = {f"k{level}": [value, None, 1.5]}
    return value


@pytest.mark.parametrize(
    ("subject_value", "errors"),
    [
        pytest.param("Nenek Aminah", [("subject", "invalid")], id="subject-string"),
        pytest.param(["Nenek Aminah"], [("subject", "invalid")], id="subject-list"),
        pytest.param(None, [("subject", "null")], id="subject-null"),
        pytest.param(42, [("subject", "invalid")], id="subject-number"),
        pytest.param(
            {"name": nested(50, "x")}, [("subject.name", "invalid")], id="name-nested-junk"
        ),
        pytest.param(
            {"name": "Nenek", "nik": [[["6371045505480001"]]]},
            [("subject.nik", "invalid")],
            id="nik-nested-list",
        ),
        pytest.param(
            {"name": "Nenek", "phone": {"number": "0812"}},
            [("subject.phone", "invalid")],
            id="phone-object",
        ),
        pytest.param(
            {"name": "Nenek", "birth_date": {"y": 1948}},
            [("subject.birth_date", "invalid")],
            id="birth-date-object",
        ),
        pytest.param(
            {"name": "Nenek", "sex": ["F"]}, [("subject.sex", "invalid_choice")], id="sex-list"
        ),
        pytest.param(
            {"name": nested(30, "x"), "nik": nested(30, 1), "birth_date": [nested(10, "")]},
            [
                ("subject.birth_date", "invalid"),
                ("subject.name", "invalid"),
                ("subject.nik", "invalid"),
            ],
            id="everything-nested",
        ),
        pytest.param(
            {"name": "Nenek", "extra": nested(100, "x")},
            [("subject.extra", "unknown_field")],
            id="unknown-nested-junk",
        ),
    ],
)
def test_junk_in_subject_is_400_naming_the_field(volunteer, nothing_written, subject_value, errors):
    response = post(volunteer, case_payload(subject=subject_value))

    assert_rejected(response, 400, "validation_error", errors)
    nothing_written()


# --- location ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "errors"),
    [
        pytest.param("-3.286,114.5689", [("location", "invalid")], id="string"),
        pytest.param([-3.286, 114.5689], [("location", "invalid")], id="list"),
        pytest.param(-3.286, [("location", "invalid")], id="number"),
        pytest.param({}, [("location.lat", "required"), ("location.lon", "required")], id="empty"),
        pytest.param({"lat": -3.286}, [("location.lon", "required")], id="missing-lon"),
        pytest.param({"lat": None, "lon": 114.5689}, [("location.lat", "null")], id="lat-null"),
        pytest.param(
            {"lat": 91, "lon": 114.5689}, [("location", "location_outside_indonesia")], id="lat-91"
        ),
        pytest.param(
            {"lat": -91, "lon": 114.5689},
            [("location", "location_outside_indonesia")],
            id="lat--91",
        ),
        pytest.param(
            {"lat": -3.3, "lon": 181}, [("location", "location_outside_indonesia")], id="lon-181"
        ),
        pytest.param(
            {"lat": -3.3, "lon": -181}, [("location", "location_outside_indonesia")], id="lon--181"
        ),
        pytest.param({"lat": "NaN", "lon": 114.5689}, [("location.lat", "invalid")], id="nan-str"),
        pytest.param({"lat": -3.3, "lon": "Infinity"}, [("location.lon", "invalid")], id="inf-str"),
        pytest.param({"lat": "abc", "lon": 114.5689}, [("location.lat", "invalid")], id="lat-abc"),
        pytest.param(
            {"lat": [-3.3], "lon": 114.5689}, [("location.lat", "invalid")], id="lat-list"
        ),
        pytest.param(
            {"lat": "1" * 1001, "lon": 114.5689},
            [("location.lat", "max_string_length")],
            id="lat-huge-string",
        ),
        pytest.param(
            {"lat": 0, "lon": 0}, [("location", "location_outside_indonesia")], id="null-island"
        ),
        pytest.param(
            {"lat": 14.6, "lon": 121.0}, [("location", "location_outside_indonesia")], id="manila"
        ),
        pytest.param(
            {"lat": -3.286, "lon": -114.5689},
            [("location", "location_outside_indonesia")],
            id="lon-sign-lost",
        ),
        pytest.param(
            {"lat": -3.286, "lon": 114.5689, "alt": 12},
            [("location.alt", "unknown_field")],
            id="unknown-key",
        ),
    ],
)
def test_a_bad_location_is_400_naming_it(volunteer, nothing_written, location, errors):
    assert_rejected(
        post(volunteer, case_payload(location=location)), 400, "validation_error", errors
    )
    nothing_written()


@pytest.mark.parametrize(
    "location",
    [{"lat": 114.0, "lon": -3.0}, {"lat": 114.5689, "lon": -3.286}],
    ids=["114,-3", "banjarmasin-swapped"],
)
def test_swapped_lat_and_lon_is_400_location_outside_indonesia(
    volunteer, nothing_written, location
):
    response = post(volunteer, case_payload(location=location))

    assert_rejected(response, 400, "validation_error", [("location", "location_outside_indonesia")])
    nothing_written()


def test_a_boolean_coordinate_is_400(volunteer, nothing_written):
    response = post(volunteer, case_payload(location={"lat": True, "lon": 114.5689}))

    assert_rejected(response, 400, "validation_error", [("location.lat", "invalid")])
    nothing_written()


def test_a_location_in_indonesia_outside_the_province_is_201_with_a_warning(volunteer):
    created = assert_created(post(volunteer, case_payload(location={"lat": -6.2, "lon": 106.8})))

    assert warning_pairs(created) == [("location", "location_outside_province")]
    assert all(set(w) == {"field", "code", "message"} for w in created["warnings"])
    case = Case.objects.get(pk=created["id"])
    assert (case.latitude, case.longitude) == (-6.2, 106.8)
    assert [(w["field"], w["code"]) for w in case.warnings] == [
        ("location", "location_outside_province")
    ]


# --- unknown and read-only fields --------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"colour": "red"}, "colour", id="colour"),
        pytest.param({"Category": "LUT"}, "Category", id="wrong-case"),
        pytest.param({"categories": ["LUT"]}, "categories", id="categories"),
        pytest.param({"lat": -3.3}, "lat", id="top-level-lat"),
        pytest.param({"subject": subject(religion="Islam")}, "subject.religion", id="subject"),
        pytest.param({"subject": subject(NIK=WOMAN_NIK)}, "subject.NIK", id="subject-wrong-case"),
        pytest.param({"subject": subject(kk="6371040101010001")}, "subject.kk", id="subject-kk"),
    ],
)
def test_an_unknown_field_is_400_unknown_field_naming_it(
    volunteer, nothing_written, overrides, field
):
    response = post(volunteer, case_payload(**overrides))

    assert_rejected(response, 400, "validation_error", [(field, "unknown_field")])
    nothing_written()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("state", "closed"),
        ("state", "reported"),
        ("reference", "6371-2026-000001"),
        ("id", "3f30a842-0d57-416d-a510-4fd9f16855ff"),
        ("reported_by", 1),
        ("assigned_to", 1),
        ("assigned_to", None),
        ("outcome", "resolved"),
        ("due_at", "2026-12-01T00:00:00+08:00"),
        ("overdue", False),
        ("warnings", []),
        ("available_transitions", ["verify"]),
        ("created_at", "2026-11-20T09:30:00+08:00"),
        ("updated_at", "2026-11-20T09:30:00+08:00"),
    ],
)
def test_a_read_only_field_is_400_read_only_naming_it(volunteer, nothing_written, field, value):
    response = post(volunteer, case_payload(**{field: value}))

    assert_rejected(response, 400, "validation_error", [(field, "read_only")])
    nothing_written()


def test_several_unknown_and_read_only_fields_are_all_named(volunteer, nothing_written):
    response = post(volunteer, case_payload(colour="red", state="closed", outcome="resolved"))

    assert_rejected(
        response,
        400,
        "validation_error",
        [("colour", "unknown_field"), ("outcome", "read_only"), ("state", "read_only")],
    )
    nothing_written()


# --- NIK -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        pytest.param("637104550548", "nik_length", id="12-digits"),
        pytest.param("63710455054800011", "nik_length", id="17-digits"),
        pytest.param("----", "nik_length", id="separators-only"),
        pytest.param("63710455O5480001", "nik_not_digits", id="letter-O"),
        pytest.param("6371ABCD05480001", "nik_not_digits", id="letters"),
        pytest.param("+6371045505480001", "nik_not_digits", id="plus-sign"),
        pytest.param(
            "".join(chr(0xFF10 + int(d)) for d in WOMAN_NIK), "nik_not_digits", id="fullwidth"
        ),
        pytest.param("٦٣٧١٠٤٥٥٠٥٤٨٠٠٠١", "nik_not_digits", id="arabic-indic-digits"),
        pytest.param("9971045505480001", "nik_unknown_province", id="province-99"),
        pytest.param("0071045505480001", "nik_unknown_province", id="province-00"),
        pytest.param("6300045505480001", "nik_invalid_region", id="regency-00"),
        pytest.param("6371005505480001", "nik_invalid_region", id="district-00"),
        pytest.param("6371040005480001", "nik_invalid_date", id="day-00"),
        pytest.param("6371043205480001", "nik_invalid_date", id="day-32"),
        pytest.param("6371044005480001", "nik_invalid_date", id="day-40"),
        pytest.param("6371047205480001", "nik_invalid_date", id="day-72"),
        pytest.param("6371041500480001", "nik_invalid_date", id="month-00"),
        pytest.param("6371041513480001", "nik_invalid_date", id="month-13"),
        pytest.param("6371043102480001", "nik_invalid_date", id="31-feb"),
        pytest.param("6371047102480001", "nik_invalid_date", id="31-feb-woman"),
        pytest.param("6371042902010001", "nik_invalid_date", id="29-feb-1901-and-2001"),
        pytest.param("6371043104480001", "nik_invalid_date", id="31-apr"),
        pytest.param("6371045505480000", "nik_zero_serial", id="serial-0000"),
    ],
)
def test_an_impossible_nik_is_400_on_subject_nik(volunteer, nothing_written, nik, code):
    response = post(volunteer, with_subject(nik=nik))

    assert_rejected(response, 400, "validation_error", [("subject.nik", code)])
    nothing_written()


@pytest.mark.parametrize(
    "nik",
    [
        "6371 0455 0548 0001",
        "6371.0455.0548.0001",
        "6371-0455-0548-0001",
        "637104.550548.0001",
        " 6371045505480001 ",
        "6371\t045505\n480001",
    ],
)
def test_a_nik_with_separators_is_stored_as_16_digits(volunteer, nik):
    created = assert_created(post(volunteer, with_subject(nik=nik)))

    assert created["subject"]["nik"] == WOMAN_NIK
    assert created["warnings"] == []
    assert Subject.objects.get().nik == WOMAN_NIK


@pytest.mark.parametrize(
    ("nik", "sex", "birth_date", "warnings"),
    [
        pytest.param(
            WOMAN_NIK, "M", "1948-05-15", [("subject.sex", "nik_sex_mismatch")], id="sex-mismatch"
        ),
        pytest.param(
            "6371041505480001",
            "F",
            "1948-05-15",
            [("subject.sex", "nik_sex_mismatch")],
            id="man-nik-woman-entered",
        ),
        pytest.param(
            WOMAN_NIK,
            "F",
            "1948-05-16",
            [("subject.birth_date", "nik_birth_date_mismatch")],
            id="birth-date-mismatch",
        ),
        pytest.param(
            WOMAN_NIK,
            "M",
            "1950-01-01",
            [
                ("subject.birth_date", "nik_birth_date_mismatch"),
                ("subject.sex", "nik_sex_mismatch"),
            ],
            id="both-mismatch",
        ),
        pytest.param(
            "6371990101800001",
            "M",
            "1980-01-01",
            [("subject.nik", "nik_unknown_district")],
            id="unknown-kecamatan",
        ),
        pytest.param(
            "6399010101800001",
            "M",
            "1980-01-01",
            [("subject.nik", "nik_unknown_regency")],
            id="unknown-kabupaten",
        ),
        pytest.param("3171045505480001", "F", "1948-05-15", [], id="jakarta-nik-consistent"),
        pytest.param("6371041505150001", "M", "2015-05-15", [], id="child-born-2015"),
        pytest.param("6371045505150001", "F", "1915-05-15", [], id="elder-born-1915"),
        pytest.param(WOMAN_NIK, None, None, [], id="nothing-to-compare"),
    ],
)
def test_nik_disagreements_are_201_with_warnings(volunteer, nik, sex, birth_date, warnings):
    created = assert_created(post(volunteer, with_subject(nik=nik, sex=sex, birth_date=birth_date)))

    assert warning_pairs(created) == sorted(warnings)
    assert all(set(w) == {"field", "code", "message"} for w in created["warnings"])
    stored = Case.objects.get(pk=created["id"]).warnings
    assert sorted((w["field"], w["code"]) for w in stored) == sorted(warnings)
    assert Subject.objects.get().nik == nik


# --- phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "stored"),
    [
        ("08123456789", "+628123456789"),
        ("628123456789", "+628123456789"),
        ("+62 812-3456-789", "+628123456789"),
        ("+628123456789", "+628123456789"),
        ("0812 3456 789", "+628123456789"),
        ("0812-3456-7890", "+6281234567890"),
        ("(0511) 3252 111", "+625113252111"),
    ],
)
def test_indonesian_phone_forms_are_stored_as_e164(volunteer, phone, stored):
    created = assert_created(post(volunteer, with_subject(phone=phone)))

    assert created["subject"]["phone"] == stored
    assert Subject.objects.get().phone == stored


@pytest.mark.parametrize(
    ("phone", "code"),
    [
        ("12345", "phone_invalid"),
        ("abc", "phone_invalid"),
        ("0812", "phone_invalid"),
        ("+62", "phone_invalid"),
        ("081234567890123456789", "phone_invalid"),
        ("+65 6123 4567", "phone_not_indonesian"),
        ("+60 3-2615 8188", "phone_not_indonesian"),
    ],
)
def test_an_invalid_or_foreign_phone_is_400_on_subject_phone(
    volunteer, nothing_written, phone, code
):
    response = post(volunteer, with_subject(phone=phone))

    assert_rejected(response, 400, "validation_error", [("subject.phone", code)])
    nothing_written()


# --- dates and times -----------------------------------------------------------------------


def tomorrow_in_wita():
    return (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("birth_date", "code"),
    [
        pytest.param(tomorrow_in_wita, "future", id="tomorrow"),
        pytest.param("2999-01-01", "future", id="year-2999"),
        pytest.param("1899-12-31", "too_early", id="1899-12-31"),
        pytest.param("0001-01-01", "too_early", id="year-1"),
        pytest.param("1948-02-30", "invalid", id="30-feb"),
        pytest.param("1948-13-01", "invalid", id="month-13"),
        pytest.param("15/05/1948", "invalid", id="dd-mm-yyyy"),
        pytest.param("1948-05-15T00:00:00", "invalid", id="datetime"),
        pytest.param("", "invalid", id="empty"),
        pytest.param(19480515, "invalid", id="number"),
    ],
)
def test_a_bad_birth_date_is_400_on_subject_birth_date(
    volunteer, nothing_written, birth_date, code
):
    value = birth_date() if callable(birth_date) else birth_date

    response = post(volunteer, with_subject(nik=OMIT, birth_date=value))

    assert_rejected(response, 400, "validation_error", [("subject.birth_date", code)])
    nothing_written()


def iso_in(minutes):
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


@pytest.mark.parametrize(
    ("observed_at", "code"),
    [
        pytest.param(lambda: iso_in(11), "future", id="11-minutes-ahead"),
        pytest.param(lambda: iso_in(60 * 24), "future", id="tomorrow"),
        pytest.param("2999-01-01T00:00:00+08:00", "future", id="year-2999"),
        pytest.param("9999-12-31T23:59:59-12:00", "overflow", id="year-9999-overflow"),
        pytest.param("2026-11-20T25:00:00+08:00", "invalid", id="hour-25"),
        pytest.param("2026-02-30T09:30:00+08:00", "invalid", id="30-feb"),
        pytest.param("20/11/2026 09:30", "invalid", id="local-format"),
        pytest.param("kemarin", "invalid", id="word"),
        pytest.param("", "invalid", id="empty"),
        pytest.param(1763602200, "invalid", id="epoch-number"),
    ],
)
def test_a_bad_observed_at_is_400_naming_it(volunteer, nothing_written, observed_at, code):
    value = observed_at() if callable(observed_at) else observed_at

    response = post(volunteer, case_payload(observed_at=value))

    assert_rejected(response, 400, "validation_error", [("observed_at", code)])
    nothing_written()


def test_observed_at_a_few_minutes_ahead_is_tolerated_as_clock_skew(volunteer):
    assert_created(post(volunteer, case_payload(observed_at=iso_in(5))))


@pytest.mark.parametrize(
    ("observed_at", "stored_utc"),
    [
        pytest.param("2026-11-20T09:30:00", datetime(2026, 11, 20, 1, 30, tzinfo=UTC), id="naive"),
        pytest.param(
            "2026-11-20T09:30:00+08:00", datetime(2026, 11, 20, 1, 30, tzinfo=UTC), id="wita"
        ),
        pytest.param(
            "2026-11-20T09:30:00+07:00", datetime(2026, 11, 20, 2, 30, tzinfo=UTC), id="wib"
        ),
        pytest.param("2026-11-20T01:30:00Z", datetime(2026, 11, 20, 1, 30, tzinfo=UTC), id="utc"),
    ],
)
def test_observed_at_is_stored_in_utc_and_naive_times_are_wita(volunteer, observed_at, stored_utc):
    created = assert_created(post(volunteer, case_payload(observed_at=observed_at)))

    assert Case.objects.get(pk=created["id"]).observed_at == stored_utc
    assert created["observed_at"] == timezone.localtime(stored_utc).isoformat()


def test_a_naive_observed_at_in_year_1_is_400_not_500(volunteer, nothing_written):
    response = post(volunteer, case_payload(observed_at="0001-01-01T00:00:00"))

    assert response.status_code == 400
    assert [f for f, _code in field_errors(response)] == ["observed_at"]
    nothing_written()


@pytest.mark.parametrize("observed_at", ["0001-01-01T00:00:00Z", "1899-12-31T23:59:59+08:00"])
def test_an_observed_at_before_1900_is_400_too_early(volunteer, nothing_written, observed_at):
    response = post(volunteer, case_payload(observed_at=observed_at))

    assert_rejected(response, 400, "validation_error", [("observed_at", "too_early")])
    nothing_written()


# --- errors accumulate ---------------------------------------------------------------------


def test_three_bad_fields_are_all_reported(volunteer, nothing_written):
    body = case_payload(category="XYZ", description="short", subject=subject(phone="abc"))

    assert_rejected(
        post(volunteer, body),
        400,
        "validation_error",
        [
            ("category", "does_not_exist"),
            ("description", "min_length"),
            ("subject.phone", "phone_invalid"),
        ],
    )
    nothing_written()


def test_bad_fields_at_every_level_are_all_reported(volunteer, nothing_written):
    body = case_payload(
        region="63",
        urgency="critical",
        location={"lat": 91, "lon": 114.5689},
        observed_at="kemarin",
        subject={"name": "", "nik": "9971045505480001", "sex": "X", "phone": "+65 6123 4567"},
    )

    assert_rejected(
        post(volunteer, body),
        400,
        "validation_error",
        [
            ("location", "location_outside_indonesia"),
            ("observed_at", "invalid"),
            ("region", "unknown_region"),
            ("subject.name", "blank"),
            ("subject.nik", "nik_unknown_province"),
            ("subject.phone", "phone_not_indonesian"),
            ("subject.sex", "invalid_choice"),
            ("urgency", "invalid_choice"),
        ],
    )
    nothing_written()


def test_an_unknown_field_does_not_hide_the_other_errors(volunteer, nothing_written):
    body = case_payload(colour="red", description="short", subject=subject(phone="abc"))

    assert_rejected(
        post(volunteer, body),
        400,
        "validation_error",
        [
            ("colour", "unknown_field"),
            ("description", "min_length"),
            ("subject.phone", "phone_invalid"),
        ],
    )
    nothing_written()


def test_an_estimated_age_is_kept_when_nobody_knows_the_birth_date(as_user, alice):
    subject = {"name": "Kakek tanpa KTP", "sex": "M", "age_estimate": 75}
    response = as_user(alice).post(URL, case_payload(subject=subject), format="json")
    assert response.status_code == 201, response.content
    shown = response.json()["subject"]
    assert (shown["birth_date"], shown["age_estimate"]) == (None, 75)
    assert Subject.objects.get().age_estimate == 75


@pytest.mark.parametrize("age", [-1, 131, 70.5, True, "tujuh puluh"])
def test_an_estimated_age_outside_0_to_130_years_is_refused(as_user, alice, age):
    subject = {"name": "Kakek tanpa KTP", "age_estimate": age}
    response = as_user(alice).post(URL, case_payload(subject=subject), format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["subject.age_estimate"]
    assert not Case.objects.exists()
