"""`GET /api/v1/cases/export/?format=xlsx`: the CSV's cases as a workbook people can read.

Headers in the reader's language, labels for codes, date cells in WITA, NIK and phone as text;
the same filters, masking and access log as the CSV (`test_export.py`).
"""

import gc
import io
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from casework import export, export_xlsx
from casework.models import AccessKind, AccessLog, Case, Subject
from tests.casework.test_export import clone_cases
from tests.factories import make_case
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
EXPORT = "/api/v1/cases/export/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS_ID = [
    "Nomor referensi", "Waktu laporan", "Waktu ditemukan", "Status", "Waktu perubahan status",
    "Kategori PPKS", "Urgensi", "Kode kabupaten/kota", "Kabupaten/Kota", "Kecamatan",
    "Desa/Kelurahan", "Petugas penanggung jawab", "Batas waktu", "Terlambat", "Hasil akhir",
    "Dirujuk ke", "Nama", "Jenis kelamin", "Tanggal lahir", "Perkiraan umur (tahun)", "NIK",
    "Telepon",
]  # fmt: skip
HEADERS_EN = [
    "Reference", "Reported at", "Observed at", "Status", "Status changed at", "Category (PPKS)",
    "Urgency", "Regency/city code", "Regency/city", "District (kecamatan)",
    "Village (desa/kelurahan)", "Assignee", "Due at", "Overdue", "Outcome", "Referred to", "Name",
    "Sex", "Birth date", "Estimated age (years)", "NIK", "Phone",
]  # fmt: skip


def sheet_of(response) -> Worksheet:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == XLSX
    content = b"".join(response.streaming_content)  # the test client closes it at the end
    return load_workbook(io.BytesIO(content)).active


def rows_of(sheet: Worksheet) -> list[dict]:
    header, *rows = sheet.iter_rows()
    names = [cell.value for cell in header]
    return [dict(zip(names, row, strict=True)) for row in rows]


def wita(value: datetime) -> datetime:
    """What the sheet should show: the time in UTC+8 (WITA), without offset or microseconds."""
    return (value.astimezone(UTC) + timedelta(hours=8)).replace(tzinfo=None, microsecond=0)


def test_a_supervisor_gets_a_workbook_with_indonesian_headers_and_labels(
    as_user, alice, bob, carol
):
    case = make_case(alice, region="63.71.04.1003")
    case_transition(case_id=str(case.pk), actor=carol, action="verify",
                    data={"note": "Benar", "assignee": bob.pk})  # fmt: skip
    case.refresh_from_db()

    response = as_user(carol).get(EXPORT, {"format": "xlsx"})

    assert response["Content-Disposition"].startswith('attachment; filename="kasus-ppks-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert "no-store" in response["Cache-Control"]
    sheet = sheet_of(response)
    assert sheet.title == "Kasus"
    assert [cell.value for cell in next(sheet.iter_rows())] == HEADERS_ID
    [row] = rows_of(sheet)
    assert {name: cell.value for name, cell in row.items()} == {
        "Nomor referensi": case.reference,
        "Waktu laporan": wita(case.created_at),
        "Waktu ditemukan": wita(case.observed_at),
        "Status": "Terverifikasi",
        "Waktu perubahan status": wita(case.state_changed_at),
        "Kategori PPKS": "Lanjut Usia Terlantar",
        "Urgensi": "Normal",
        "Kode kabupaten/kota": "63.71",
        "Kabupaten/Kota": "Kota Banjarmasin",
        "Kecamatan": "Banjarmasin Utara",
        "Desa/Kelurahan": "Alalak Selatan",
        "Petugas penanggung jawab": "bob",
        "Batas waktu": wita(case.due_at),
        "Terlambat": "Tidak",
        "Hasil akhir": None,
        "Dirujuk ke": None,
        "Nama": "Nenek Aminah",
        "Jenis kelamin": "Perempuan",
        "Tanggal lahir": datetime(1948, 5, 15),
        "Perkiraan umur (tahun)": None,
        "NIK": "6371045505480001",
        "Telepon": "+6281234567890",
    }
    # Dates are date cells Excel shows as dates; NIK and phone are text, all 16 digits kept.
    assert row["Waktu laporan"].is_date and "yyyy" in row["Waktu laporan"].number_format
    assert row["Waktu laporan"].number_format.count("s") == 0  # shown to the minute
    assert row["Tanggal lahir"].is_date and row["Tanggal lahir"].number_format == "dd/mm/yyyy"
    assert row["NIK"].data_type == "s" and len(row["NIK"].value) == 16
    assert row["Telepon"].data_type == "s"


@pytest.mark.parametrize("age", [75, 0])  # 0: a baby, still an age, not an empty cell
def test_an_estimated_age_is_a_number_cell(as_user, alice, carol, age):
    case = make_case(alice, birth_date=None)
    Subject.objects.filter(pk=case.subject_id).update(age_estimate=age)

    [row] = rows_of(sheet_of(as_user(carol).get(EXPORT, {"format": "xlsx"})))

    assert row["Tanggal lahir"].value is None
    assert (row["Perkiraan umur (tahun)"].value, row["Perkiraan umur (tahun)"].data_type) == (
        age,
        "n",
    )


def test_headers_and_labels_follow_the_request_language(as_user, alice, carol):
    case = make_case(alice)
    Case.objects.filter(pk=case.pk).update(
        state="closed", outcome="resolved", due_at=timezone.now() - timedelta(days=1)
    )

    response = as_user(carol).get(EXPORT, {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")

    sheet = sheet_of(response)
    assert [cell.value for cell in next(sheet.iter_rows())] == HEADERS_EN
    [row] = rows_of(sheet)
    labels = ("Status", "Category (PPKS)", "Urgency", "Overdue", "Outcome", "Sex")
    assert [row[name].value for name in labels] == [
        "Closed", "Neglected older person (60+)", "Normal", "No", "Resolved", "Female",
    ]  # fmt: skip


def test_an_overdue_case_says_ya_and_a_closed_one_its_outcome(as_user, alice, carol):
    late = make_case(alice)
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now())
    done = make_case(alice)
    Case.objects.filter(pk=done.pk).update(state="closed", outcome="referred",
                                           referred_to="Panti Budi Luhur")  # fmt: skip

    rows = rows_of(sheet_of(as_user(carol).get(EXPORT, {"format": "xlsx"})))

    by_reference = {row["Nomor referensi"].value: row for row in rows}
    assert by_reference[late.reference]["Terlambat"].value == "Ya"
    closed = by_reference[done.reference]
    assert [closed[n].value for n in ("Status", "Hasil akhir", "Dirujuk ke", "Terlambat")] == [
        "Ditutup", "Dirujuk", "Panti Budi Luhur", "Tidak",
    ]  # fmt: skip


def test_the_workbook_has_the_csv_filters_and_its_access_log(as_user, alice, vera, dina):
    make_case(alice, urgency="low")
    high = make_case(alice, urgency="high")
    make_case(vera, region="63.10.01", urgency="high")

    rows = rows_of(sheet_of(as_user(dina).get(EXPORT, {"format": "xlsx", "region": "63.71"})))
    assert len(rows) == 2
    rows = rows_of(sheet_of(as_user(dina).get(EXPORT, {"format": "xlsx", "urgency": "high",
                                                       "region": "63.71"})))  # fmt: skip

    assert [row["Nomor referensi"].value for row in rows] == [high.reference]
    logged = AccessLog.objects.filter(user=dina, kind=AccessKind.EXPORT, case=high)
    assert logged.count() == 2  # in both exports, as the CSV logs it


def test_personal_fields_are_masked_and_unlogged_for_a_reader_who_may_not_see_them(
    as_user, alice, vera, tono
):
    """Tono (Tanah Bumbu) may export, but sees a Banjarmasin case masked, as in the CSV."""
    mine = make_case(alice)
    theirs = make_case(vera, region="63.10.01")

    with export_xlsx.xlsx_file(tono, Case.objects.filter(pk=mine.pk)) as file:
        [row] = rows_of(load_workbook(file).active)
    assert row["NIK"].value == "6371**********01"
    assert row["Telepon"].value == "+62********890"
    assert row["Tanggal lahir"].value == "1948-**-**"

    rows_of(sheet_of(as_user(tono).get(EXPORT, {"format": "xlsx"})))
    assert list(AccessLog.objects.values_list("case_id", flat=True)) == [theirs.pk]


def test_a_name_that_looks_like_a_formula_stays_text(as_user, alice, carol):
    name = '=HYPERLINK("http://evil.example","klik")'
    make_case(alice, name=name)

    [row] = rows_of(sheet_of(as_user(carol).get(EXPORT, {"format": "xlsx"})))

    assert row["Nama"].data_type == "s" and row["Nama"].value == name  # not "f", no apostrophe


@pytest.mark.parametrize("value", ["pdf", "XLSX", "json"])
def test_an_unknown_format_is_a_400_naming_it_and_logs_nothing(as_user, alice, carol, value):
    make_case(alice)

    response = as_user(carol).get(EXPORT, {"format": value})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("format", "invalid_choice")]
    assert body["errors"][0]["message"] == "Gunakan csv atau xlsx."
    assert not AccessLog.objects.exists()


def test_format_csv_is_the_csv(as_user, alice, carol):
    make_case(alice)

    response = as_user(carol).get(EXPORT, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')


def peak_while_writing(user, cases) -> int:
    gc.collect()  # what earlier tests left for the collector is not this export's memory
    # The same export once untraced first: a full collection empties Python's free lists, and
    # refilling them (up to 2,000 tuples of each size) would look like memory growing with the
    # rows until they are full.
    export_xlsx.xlsx_file(user, cases).close()
    tracemalloc.start()
    try:
        export_xlsx.xlsx_file(user, cases).close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.postgres
def test_a_large_workbook_is_written_in_bounded_memory(alice, carol, monkeypatch):
    """Ten times the rows, about the same peak: rows are read in chunks and written out one by
    one, strings inline, into a temporary file. Small chunks keep the test quick."""
    monkeypatch.setattr(export, "CHUNK", 200)
    template = make_case(alice)
    clone_cases(template, export.CHUNK, prefix="A")
    small = peak_while_writing(carol, Case.objects.all())
    clone_cases(template, 9 * export.CHUNK, prefix="B")
    large = peak_while_writing(carol, Case.objects.all())

    assert Case.objects.count() == 10 * export.CHUNK + 1
    assert large < small * 2, (small, large)


def test_the_format_and_both_media_types_are_in_the_api_schema(api):
    schema = api.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/cases/export/"]["get"]
    assert {"text/csv", XLSX} <= set(operation["responses"]["200"]["content"])
    [parameter] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert parameter["schema"]["enum"] == ["csv", "xlsx", ""]  # empty: as not given, csv
