"""The officer's work queue (issue 13, items 1 and 3): `/` for an officer, and the header's
on duty / off duty switch."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import AccessKind, AccessLog, Case, CaseState
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def references(response) -> list[str]:
    return re.findall(r'<p class="ref"><a href="/kasus/[^"]+/">(\S+)</a>', text(response))


def due(case: Case, **delta) -> None:
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() + timedelta(**delta))


def test_the_queue_puts_the_overdue_first_then_the_nearest_deadline(client, alice, bob):
    later, late, soon, none = (make_case(alice) for _ in range(4))
    due(later, hours=20)
    due(late, days=-2)
    due(soon, hours=3)
    Case.objects.filter(pk=none.pk).update(due_at=None)
    closed = make_case(alice)
    Case.objects.filter(pk=closed.pk).update(state=CaseState.CLOSED)
    client.force_login(bob)
    response = client.get("/")
    assert response.status_code == 200
    assert references(response) == [r.reference for r in (late, soon, later, none)]
    page = text(response)
    assert "<h1>Antrean kerja</h1>" in page
    assert "terlambat 2 hari" in page and ("sisa 2 jam" in page or "sisa 3 jam" in page)
    assert "Lanjut Usia Terlantar" in page and "Nenek Aminah" in page
    assert 'aria-current="page">Terlambat/Perlu ditangani</a>' in page


def test_each_section_holds_its_own_cases(client, alice, bob, tono, vera):
    new = make_case(alice)
    other_division = make_case(alice, category="FM")  # dayasos/pfm: not a rehsos officer's
    mine = make_case(alice)
    Case.objects.filter(pk=mine.pk).update(state=CaseState.VERIFIED, assigned_to=bob)
    returned = make_case(alice)
    Case.objects.filter(pk=returned.pk).update(state=CaseState.RETURNED)
    closed = make_case(alice)
    Case.objects.filter(pk=closed.pk).update(state=CaseState.CLOSED)
    elsewhere = make_case(vera, region="63.10.01.1007")
    client.force_login(bob)

    def section(name: str) -> set[str]:
        response = client.get("/", {"bagian": name})
        assert response.status_code == 200
        return set(references(response))

    assert section("new") == {new.reference}
    assert section("mine") == {mine.reference}
    assert section("returned") == {returned.reference}
    everything = {c.reference for c in (new, other_division, mine, returned, closed)}
    assert section("all") == everything
    assert section("due") == everything - {closed.reference}
    assert elsewhere.reference not in text(client.get("/", {"bagian": "all"}))


def test_a_tanah_bumbu_officer_never_sees_a_banjarmasin_case(client, alice, vera, tono):
    banjarmasin = make_case(alice)
    theirs = make_case(vera, region="63.10.01.1007")
    client.force_login(tono)
    for name in ("due", "new", "mine", "returned", "all"):
        assert references(client.get("/", {"bagian": name})) in ([], [theirs.reference])
        assert references(client.get("/", {"bagian": name, "search": banjarmasin.reference})) == []
    assert theirs.reference in text(client.get("/", {"bagian": "new"}))
    assert client.get(f"/kasus/{banjarmasin.pk}/").status_code == 404


def test_the_filters_are_the_apis_and_the_tabs_keep_them(client, alice, bob):
    urgent = make_case(alice, urgency="high", name="Pak Darman")
    make_case(alice, urgency="normal", category="AT")
    client.force_login(bob)
    response = client.get("/", {"urgency": "high", "bagian": "all"})
    assert references(response) == [urgent.reference]
    assert references(client.get("/", {"search": "darman"})) == [urgent.reference]
    assert references(client.get("/", {"search": urgent.reference})) == [urgent.reference]
    assert references(client.get("/", {"category": "AT", "urgency": "high"})) == []
    assert references(client.get("/", {"region": "63.71.04"})) != []
    after = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert references(client.get("/", {"created_after": after})) == []
    page = text(client.get("/", {"urgency": "high", "bagian": "due"}))
    assert 'href="?urgency=high&amp;bagian=new"' in page


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"urgency": "sangat"}, "urgency"),
        ({"region": "banjar"}, "region"),
        ({"created_after": "kemarin"}, "created_after"),
        ({"overdue": "maybe"}, "overdue"),
        ({"cursor": "!!"}, "cursor"),
    ],
)
def test_a_bad_filter_is_the_page_again_with_the_message_beside_it(client, bob, query, field):
    client.force_login(bob)
    response = client.get("/", query)
    assert response.status_code == 400
    page = text(response)
    assert 'class="error"' in page
    if field != "cursor":
        assert f'aria-describedby="e-{field}"' in page and f'id="e-{field}"' in page
    assert "hx-trigger" not in page  # nothing to poll


def test_the_next_page_keeps_the_filters_and_repeats_nothing(client, alice, bob, monkeypatch):
    monkeypatch.setattr("web.queue.PAGE", 2)
    cases = [make_case(alice, urgency="high") for _ in range(5)]
    make_case(alice, urgency="normal")
    client.force_login(bob)
    seen: list[str] = []
    query = "urgency=high"
    while query:
        response = client.get(f"/?{query}")
        seen += references(response)
        found = re.search(r'href="\?([^"]+)" rel="next"', response.content.decode())
        query = found.group(1).replace("&amp;", "&") if found else ""
        assert not query or "urgency=high" in query
    assert sorted(seen) == sorted(c.reference for c in cases)


def test_the_queue_logs_the_names_it_shows_as_the_apis_list(client, alice, bob):
    shown = make_case(alice)
    client.force_login(bob)
    client.get("/")
    assert list(AccessLog.objects.values_list("case_id", "kind")) == [(shown.pk, AccessKind.LIST)]


def test_the_queue_polls_itself_for_new_reports(client, bob, settings):
    settings.WORK_QUEUE_POLL_SECONDS = 7
    client.force_login(bob)
    page = text(client.get("/?urgency=high"))
    assert 'hx-get="/?urgency=high" hx-trigger="every 7s" hx-select="#queue"' in page


def test_supervisors_and_volunteers_keep_their_homes(client, alice, carol):
    client.force_login(carol)
    assert "Antrean kerja" not in text(client.get("/"))
    assert "Tidak bertugas" not in text(client.get("/"))
    client.force_login(alice)
    assert "<h1>Laporan saya</h1>" in text(client.get("/"))


def test_the_duty_switch_turns_an_officer_on_and_off_duty(client, bob):
    client.force_login(bob)
    assert ">Sedang bertugas</button>" in text(client.get("/"))  # on duty from the start
    response = client.post("/bertugas/", {"on_duty": "false", "next": "/?bagian=new"})
    assert (response.status_code, response["Location"]) == (302, "/?bagian=new")
    bob.refresh_from_db()
    assert not bob.on_duty
    assert ">Tidak bertugas</button>" in text(client.get("/"))
    response = client.post("/bertugas/", {"on_duty": "true", "next": "https://evil.example/"})
    assert (response.status_code, response["Location"]) == (302, "/")
    bob.refresh_from_db()
    assert bob.on_duty
    assert client.post("/bertugas/", {"next": "//evil.example/x"})["Location"] == "/"
    assert client.get("/bertugas/").status_code == 405


def test_the_duty_switch_needs_csrf_and_an_officer(alice, bob):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(bob)
    assert strict.post("/bertugas/", {"on_duty": "false"}).status_code == 403
    bob.refresh_from_db()
    assert bob.on_duty
    volunteer = Client()
    volunteer.force_login(alice)
    assert volunteer.post("/bertugas/", {"on_duty": "true"}).status_code == 404
