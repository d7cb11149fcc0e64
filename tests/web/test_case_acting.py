"""Acting from the case page with no ids or codes to know (issue 13, item 2): a transfer chosen
with region pickers, a duplicate named by its case number, and a confirmation that says when
the reporter was told."""

import re

import pytest

from casework.models import Case, CaseState, Outcome
from tests.factories import make_case, make_user
from workflows.models import HistoryEntry
from workflows.services import case_transition

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_transfer_chosen_with_the_pickers_moves_the_case_to_tanah_bumbu(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    form = text(client.get(f"/kasus/{case.pk}/", {"aksi": "transfer"}))
    assert '<label for="f-regency">Kabupaten/Kota</label>' in form
    assert '<label for="f-district">Kecamatan</label>' in form
    assert '<label for="f-village">Desa/Kelurahan</label>' in form
    assert 'data-below="f-district"' in form and 'data-regions="/lapor/wilayah.json"' in form
    assert '<option value="63.10">' in form
    done = client.post(
        f"/kasus/{case.pk}/transfer/",
        {
            "regency": "63.10",
            "district": "63.10.01",
            "village": "63.10.01.1007",
            "reason": "Ternyata tinggal di Batu Licin.",
        },
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.region_id == "63.10.01.1007"


def test_without_a_script_the_kabupaten_alone_is_enough(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    done = client.post(
        f"/kasus/{case.pk}/transfer/",
        # a kecamatan of another kabupaten left over is not sent
        {"regency": "63.10", "district": "63.71.04", "reason": "Pindah ke Tanah Bumbu."},
    )
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).region_id == "63.10"


def test_the_transfer_form_lists_nothing_of_the_cases_own_kabupaten(client, alice, bob):
    case = make_case(alice)  # in 63.71, Kota Banjarmasin
    client.force_login(bob)
    form = client.get(f"/kasus/{case.pk}/", {"aksi": "transfer"}).content.decode()
    assert 'value="63.71' not in form
    assert 'value="63.10"' in form


def test_a_transfer_without_a_kabupaten_is_refused_beside_it(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    response = client.post(f"/kasus/{case.pk}/transfer/", {"regency": "", "reason": "Pindah."})
    assert response.status_code == 400
    assert '<p class="error" id="e-regency">' in text(response)


def test_a_duplicate_named_by_its_number_closes_the_case_as_its_duplicate(client, alice, bob):
    original = make_case(alice)
    case = make_case(alice)
    client.force_login(bob)
    form = text(client.get(f"/kasus/{case.pk}/", {"aksi": "reject"}))
    assert '<label for="f-duplicate_of">Duplikat dari</label>' in form
    assert "Nomor kasus, mis. 6371-2026-000123" in form
    done = client.post(
        f"/kasus/{case.pk}/reject/",
        {"outcome": "duplicate", "reason": "Sudah dilaporkan.", "duplicate_of": original.reference},
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.outcome, case.duplicate_of_id) == (
        CaseState.CLOSED,
        Outcome.DUPLICATE,
        original.pk,
    )


def test_an_unknown_and_an_out_of_reach_number_are_refused_alike(client, alice, bob, vera):
    elsewhere = make_case(vera, region="63.10.01")  # Tanah Bumbu: not Bob's to see
    case = make_case(alice)
    client.force_login(bob)
    before = HistoryEntry.objects.count()
    answers = []
    for reference in ("6371-2026-999999", elsewhere.reference):
        response = client.post(
            f"/kasus/{case.pk}/reject/",
            {"outcome": "duplicate", "reason": "Sudah dilaporkan.", "duplicate_of": reference},
        )
        assert response.status_code == 400
        page = text(response)
        error = re.search(r'<p class="error" id="e-duplicate_of">([^<]*)</p>', page)
        assert error is not None
        answers.append(error.group(1))
        assert f'value="{reference}"' in page  # what was typed, to correct
    assert answers[0] == answers[1] == "Tidak ada kasus dengan nomor ini yang dapat Anda lihat."
    assert Case.objects.get(pk=case.pk).state == CaseState.REPORTED
    assert HistoryEntry.objects.count() == before


def test_the_confirmation_of_a_return_says_the_reporter_is_told(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    done = client.post(f"/kasus/{case.pk}/return/", {"reason": "Mohon lengkapi alamat."})
    assert "Tersimpan: Kembalikan. Pelapor diberi tahu." in text(client.get(done["Location"]))


def test_the_confirmation_says_nothing_of_the_reporter_when_they_are_not_told(
    client, alice, bob, carol
):
    case = make_case(alice)
    client.force_login(bob)
    verified = client.post(f"/kasus/{case.pk}/verify/", {"note": "Benar."})
    assert "Pelapor diberi tahu." in text(client.get(verified["Location"]))
    client.force_login(carol)
    done = client.post(f"/kasus/{case.pk}/assign/", {"assignee": str(bob.pk)})
    page = text(client.get(done["Location"]))
    assert "Tersimpan: Tugaskan." in page and "Pelapor diberi tahu" not in page


def verified_for(officer, reporter, supervisor) -> Case:
    case = make_case(reporter)
    case_transition(case_id=str(case.pk), actor=supervisor, action="verify",
                    data={"note": "Benar.", "assignee": officer.pk})  # fmt: skip
    return case


def test_verify_offers_the_officers_by_name_or_automatically(client, alice, bob, carol):
    """Budi carries a case already, Bob none: "Otomatis" gives it to Bob, and the history says
    so by name."""
    budi = make_user("budi", role="officer", region="63.71", division="rehsos")
    verified_for(budi, alice, carol)
    case = make_case(alice)
    client.force_login(carol)
    form = text(client.get(f"/kasus/{case.pk}/", {"aksi": "verify"}))
    assert (
        '<option value="auto">Otomatis: petugas bertugas dengan kasus terbuka paling sedikit'
        in form
    )
    assert "Tugaskan otomatis" not in form  # one picker, no second control for the same choice

    done = client.post(f"/kasus/{case.pk}/verify/", {"note": "Benar.", "assignee": "auto"})

    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).assigned_to_id == bob.pk
    page = text(client.get(done["Location"]))
    assert "memverifikasi laporan dan menugaskannya secara otomatis kepada Bob" in page


def test_assign_automatically_moves_the_case_to_another_officer(client, alice, bob, carol):
    """Bob and Budi carry one case each: among equals Bob (the lower id) would win, but it is
    Bob's case, so it goes to Budi."""
    budi = make_user("budi", role="officer", region="63.71", division="rehsos")
    verified_for(budi, alice, carol)
    case = verified_for(bob, alice, carol)
    client.force_login(carol)

    done = client.post(f"/kasus/{case.pk}/assign/", {"assignee": "auto", "note": "Bob cuti."})

    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).assigned_to_id == budi.pk
    assert "menugaskannya secara otomatis kepada Budi" in text(client.get(done["Location"]))


def test_with_nobody_else_on_duty_the_automatic_choice_is_refused_beside_the_picker(
    client, alice, bob, carol
):
    case = verified_for(bob, alice, carol)
    client.force_login(carol)

    response = client.post(f"/kasus/{case.pk}/assign/", {"assignee": "auto"})

    assert response.status_code == 400
    error = re.search(r'<p class="error" id="e-assignee">([^<]*)</p>', text(response))
    assert error is not None and "bertugas" in error.group(1)
    assert '<option value="auto" selected>' in text(response)  # as chosen, to change
    assert Case.objects.get(pk=case.pk).assigned_to_id == bob.pk


def test_an_assignment_with_no_officer_chosen_says_so_beside_the_picker(client, alice, bob, carol):
    case = verified_for(bob, alice, carol)
    client.force_login(carol)
    response = client.post(f"/kasus/{case.pk}/assign/", {"assignee": ""})
    assert response.status_code == 400
    assert '<p class="error" id="e-assignee">' in text(response)
