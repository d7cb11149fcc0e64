"""`POST /api/v1/cases/check/`: the report form asks, as the volunteer types, what the intake
would say of the fields so far: a 400 with the intake's own messages, or the warnings the case
would carry. Nothing is ever filed."""

import pytest

from casework.models import Case, Subject
from tests.factories import case_payload

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/check/"


def test_a_partial_report_that_is_right_so_far_has_no_warning(as_user, alice):
    answer = as_user(alice).post(URL, {"subject": {"nik": "6371045505480001"}}, format="json")
    assert answer.status_code == 200
    assert answer.json() == {"warnings": []}


def test_a_short_nik_gets_the_intakes_message_naming_the_field(as_user, alice):
    answer = as_user(alice).post(URL, {"subject": {"nik": "63710455"}}, format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == [
        {
            "field": "subject.nik",
            "code": "nik_length",
            "message": "NIK harus terdiri dari tepat 16 digit.",
        }
    ]


def test_a_nik_that_disagrees_with_the_sex_and_birth_date_is_a_warning(as_user, alice):
    draft = {"subject": {"nik": "6371045505480001", "sex": "M", "birth_date": "1950-01-01"}}
    answer = as_user(alice).post(URL, draft, format="json", HTTP_ACCEPT_LANGUAGE="id")
    assert answer.status_code == 200
    codes = [(w["field"], w["code"]) for w in answer.json()["warnings"]]
    assert codes == [
        ("subject.sex", "nik_sex_mismatch"),
        ("subject.birth_date", "nik_birth_date_mismatch"),
    ]
    assert "jenis kelamin" in answer.json()["warnings"][0]["message"]


def test_a_whole_report_is_checked_and_never_filed(as_user, alice):
    answer = as_user(alice).post(URL, case_payload(), format="json")
    assert answer.status_code == 200
    assert answer.json() == {"warnings": []}
    assert Case.objects.count() == 0 and Subject.objects.count() == 0


def test_unknown_fields_and_bad_regions_are_refused_as_the_intake_refuses_them(as_user, alice):
    answer = as_user(alice).post(URL, {"region": "99.99", "colour": "red"}, format="json")
    assert answer.status_code == 400
    fields = sorted(error["field"] for error in answer.json()["errors"])
    assert fields == ["colour", "region"]


def test_only_signed_in_people_may_ask(api):
    assert api.post(URL, {}, format="json").status_code == 401
