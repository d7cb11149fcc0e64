"""`GET /api/v1/cases/export/`: the list's cases and filters as streamed CSV, logged, masked.

The workbook (`format=xlsx`) has its own file, `test_export_xlsx.py`.
"""

import copy
import csv
import gc
import io
import tracemalloc
import uuid

import pytest
from django.utils import timezone

from casework import export
from casework import services as casework_services
from casework.models import AccessKind, AccessLog, Case, Subject
from tests.factories import make_case
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
EXPORT = "/api/v1/cases/export/"


def iso(value) -> str:
    """A time as the CSV writes it: ISO 8601 in WITA, to the second."""
    return timezone.localtime(value).isoformat(timespec="seconds")


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read the file as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_a_supervisor_exports_the_columns_of_a_dinsos_report(as_user, alice, bob, carol):
    case = make_case(alice, region="63.71.04.1003")
    case_transition(case_id=str(case.pk), actor=carol, action="verify",
                    data={"note": "Benar", "assignee": bob.pk})  # fmt: skip
    case.refresh_from_db()

    response = as_user(carol).get(EXPORT)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="kasus-ppks-')
    [row] = rows_of(response)
    assert list(row) == export.COLUMNS
    assert row == {
        "reference": case.reference,
        "created_at": iso(case.created_at),
        "observed_at": iso(case.observed_at),
        "state": "verified",
        "state_changed_at": iso(case.state_changed_at),
        "category": "LUT",
        "urgency": "normal",
        "regency_code": "63.71",
        "regency": "Kota Banjarmasin",
        "district": "Banjarmasin Utara",
        "village": "Alalak Selatan",
        "assigned_to": "bob",
        "due_at": iso(case.due_at),
        "overdue": "no",
        "outcome": "",
        "referred_to": "",
        "subject_name": "Nenek Aminah",
        "subject_sex": "F",
        "subject_birth_date": "1948-05-15",
        "subject_age_estimate": "",
        "subject_nik": "6371045505480001",
        "subject_phone": "+6281234567890",  # a phone number, not text quoted against formulas
    }
    assert "." not in row["created_at"]  # no microseconds


@pytest.mark.parametrize("age", [75, 0])  # 0: a baby, still an age
def test_a_subject_known_only_by_an_estimated_age_is_exported_with_it(as_user, alice, carol, age):
    case = make_case(alice, birth_date=None)
    Subject.objects.filter(pk=case.subject_id).update(age_estimate=age)

    [row] = rows_of(as_user(carol).get(EXPORT))

    assert (row["subject_birth_date"], row["subject_age_estimate"]) == ("", str(age))


def test_the_export_has_the_cases_the_list_has_newest_first_with_its_filters(
    as_user, alice, vera, carol, dina
):
    first = make_case(alice, region="63.71.04.1003")
    second = make_case(alice, region="63.71.01", urgency="high")
    tanbu = make_case(vera, region="63.10.01")

    def references(user, query: str = "") -> list[str]:
        return [row["reference"] for row in rows_of(as_user(user).get(EXPORT + query))]

    assert references(carol) == [second.reference, first.reference]  # not Tanah Bumbu's
    assert references(dina) == [tanbu.reference, second.reference, first.reference]
    assert references(dina, "?region=63.71.04") == [first.reference]
    assert references(dina, "?urgency=high") == [second.reference]
    assert references(dina, "?state=closed") == []
    Case.objects.filter(pk=first.pk).update(due_at=timezone.now())
    assert references(carol, "?overdue=true") == [first.reference]
    overdue = rows_of(as_user(carol).get(EXPORT + "?overdue=true"))[0]["overdue"]
    assert overdue == "yes"


def test_an_export_is_written_to_the_access_log_case_by_case(as_user, alice, vera, carol):
    mine = [make_case(alice), make_case(alice)]
    make_case(vera, region="63.10.01")

    rows_of(as_user(carol).get(EXPORT))

    logged = AccessLog.objects.filter(user=carol, kind=AccessKind.EXPORT)
    assert sorted(logged.values_list("case_id", flat=True)) == sorted(c.pk for c in mine)


def test_each_part_is_logged_before_it_is_sent_and_a_broken_download_logs_no_more(
    alice, carol, monkeypatch
):
    """A million-case export starts at once (the log is written part by part, not all before
    the first byte), and what was never sent is not in the log. The view hands `csv_lines` the
    logging service, as here; the tests above check that wiring on whole downloads."""
    monkeypatch.setattr(export, "CHUNK", 3)
    cases = [make_case(alice) for _ in range(7)]

    def log(case_ids: list) -> None:
        casework_services.personal_data_export_record(user=carol, case_ids=case_ids)

    parts = export.csv_lines(carol, Case.objects.all(), log=log)
    header = next(parts)
    assert header.startswith("\ufeffreference,") and not AccessLog.objects.exists()
    first = next(parts)
    parts.close()  # the client went away

    newest = cases[-3:]
    assert all(case.reference in first for case in newest)
    logged = AccessLog.objects.filter(user=carol, kind=AccessKind.EXPORT)
    assert set(logged.values_list("case_id", flat=True)) == {case.pk for case in newest}


def test_a_filtered_export_logs_only_what_it_exported(as_user, alice, carol):
    make_case(alice, urgency="low")
    high = make_case(alice, urgency="high")

    rows_of(as_user(carol).get(EXPORT + "?urgency=high"))

    assert list(AccessLog.objects.values_list("case_id", "kind")) == [(high.pk, "export")]


@pytest.mark.parametrize("who", ["alice", "adam"])
def test_volunteers_and_administrators_may_not_export(as_user, request, alice, who):
    make_case(alice)

    response = as_user(request.getfixturevalue(who)).get(EXPORT)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not AccessLog.objects.exists()


def test_an_export_needs_a_login(api):
    assert api.get(EXPORT).status_code == 401


@pytest.mark.parametrize(
    "query, field",
    [
        ("?state=open", "state"),
        ("?region=63.7x", "region"),
        ("?created_after=yesterday", "created_after"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it_and_logs_nothing(as_user, alice, carol, query, field):
    make_case(alice)

    response = as_user(carol).get(EXPORT + query)

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not AccessLog.objects.exists()


def test_personal_fields_are_masked_for_a_reader_who_may_not_see_them(alice, tono):
    """The API's rule, row by row: Tono (Tanah Bumbu) is shown a Banjarmasin case masked."""
    make_case(alice)

    text = "".join(export.csv_lines(tono, Case.objects.all()))

    [row] = list(csv.DictReader(io.StringIO(text[1:])))
    assert row["subject_nik"] == "6371**********01"
    assert row["subject_phone"] == "+62********890"
    assert row["subject_birth_date"] == "1948-**-**"


def test_typed_text_that_a_spreadsheet_would_run_stays_text(as_user, alice, carol):
    make_case(alice, name='=HYPERLINK("http://evil.example","klik")')

    [row] = rows_of(as_user(carol).get(EXPORT))

    assert row["subject_name"] == '\'=HYPERLINK("http://evil.example","klik")'


def clone_cases(template: Case, count: int, *, prefix: str) -> None:
    """`count` copies of a case (and its subject), inserted in bulk: enough rows to measure."""
    subjects = [copy.copy(template.subject) for _ in range(count)]
    for subject in subjects:
        subject.pk = None
    Subject.objects.bulk_create(subjects, batch_size=1000)
    cases = []
    for number, subject in enumerate(subjects):
        case = copy.copy(template)
        case.pk, case.subject, case.reference = uuid.uuid4(), subject, f"{prefix}-{number:07d}"
        cases.append(case)
    Case.objects.bulk_create(cases, batch_size=1000)


def peak_while_streaming(user, cases) -> int:
    gc.collect()  # what earlier tests left for the collector is not this export's memory
    # The same export once untraced first: a full collection empties Python's free lists, and
    # refilling them (up to 2,000 tuples of each size) would look like memory growing with the
    # rows until they are full.
    for _line in export.csv_lines(user, cases):
        pass
    tracemalloc.start()
    try:
        for _line in export.csv_lines(user, cases):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.postgres
def test_a_large_export_streams_in_bounded_memory(alice, carol, monkeypatch):
    """Ten times the rows, about the same peak: rows are read in chunks and written one by one
    (PostgreSQL reads through a server-side cursor). Small chunks keep the test quick."""
    monkeypatch.setattr(export, "CHUNK", 200)
    template = make_case(alice)
    clone_cases(template, export.CHUNK, prefix="A")
    small = peak_while_streaming(carol, Case.objects.all())
    clone_cases(template, 9 * export.CHUNK, prefix="B")
    large = peak_while_streaming(carol, Case.objects.all())

    assert Case.objects.count() == 10 * export.CHUNK + 1
    assert large < small * 2, (small, large)


def test_the_export_is_in_the_api_schema(api):
    schema = api.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/cases/export/"]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert "subject_nik" in operation["description"]


def test_an_officer_of_another_regency_exports_only_their_own(as_user, alice, vera, tono):
    make_case(alice)
    theirs = make_case(vera, region="63.10.01")

    assert [r["reference"] for r in rows_of(as_user(tono).get(EXPORT))] == [theirs.reference]
