"""The web app's front door (issue 12, part 1): `/masuk/`, `/keluar/` and each role's home `/`."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from casework.models import CaseState
from tests.factories import PASSWORD, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()  # login throttles and lockouts are counted in the cache
    yield
    cache.clear()


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/masuk/", {"username": username, "password": password, **extra})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(client, alice):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=/"
    page = text(client.get("/masuk/?next=/"))
    assert '<label for="id_username">Nama pengguna</label>' in page
    assert '<label for="id_password">Kata sandi</label>' in page
    assert '<button type="submit" class="primary">Masuk</button>' in page
    signed_in = sign_in(client, "alice", next="/")
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/")


def test_the_page_is_in_english_when_the_reader_switches(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    page = text(client.get("/masuk/"))
    assert '<label for="id_username">Username</label>' in page
    assert ">Sign in</button>" in page


def test_a_wrong_password_is_the_form_again_with_the_reason_and_the_name_kept(client, alice):
    response = sign_in(client, "alice", "not-her-password")
    assert response.status_code == 200
    page = text(response)
    assert 'role="alert"' in page
    assert "Nama pengguna atau kata sandi salah" in page
    assert 'value="alice"' in page
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_lock_the_account_here_as_in_the_api(client, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, "alice", "wrong")
    response = sign_in(client, "alice")  # the right password, while locked
    assert response.status_code == 200
    assert "Terlalu banyak kata sandi salah" in text(response)
    assert "_auth_user_id" not in client.session
    api = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": PASSWORD},
        content_type="application/json",
    )
    assert (api.status_code, api.json()["code"]) == (429, "account_locked")


def test_the_address_budget_is_the_api_and_the_admins(client, alice, bob, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    for _ in range(3):
        client.post(
            "/api/v1/auth/token/",
            {"username": "bob", "password": "wrong"},
            content_type="application/json",
        )
    response = sign_in(client, "alice")
    assert response.status_code == 200
    assert "Terlalu banyak percobaan masuk" in text(response)
    assert "_auth_user_id" not in client.session


def test_signing_in_needs_the_forms_csrf_token(alice):
    strict = Client(enforce_csrf_checks=True)
    assert sign_in(strict, "alice").status_code == 403


def test_a_next_address_on_another_host_is_not_followed(client, alice):
    response = sign_in(client, "alice", next="https://example.com/phish")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_signing_out_is_a_post_and_ends_the_session(client, alice):
    client.force_login(alice)
    assert client.post("/keluar/").status_code == 302
    assert client.get("/").status_code == 302  # signed out: to /masuk/
    client.force_login(alice)
    assert client.get("/keluar/").status_code == 405  # a link cannot sign anyone out


def test_a_volunteers_home_is_their_reports_returned_first(client, alice, vera, bob):
    older = make_case(alice, category="LUT")
    returned = make_case(alice, category="ADK")
    make_case(vera, region="63.10.01.1007")  # somebody else's report
    newest = make_case(alice, category="AT")
    type(returned).objects.filter(pk=returned.pk).update(state=CaseState.RETURNED)
    client.force_login(alice)
    page = text(client.get("/"))
    assert "<h1>Laporan saya</h1>" in page
    references = re.findall(r'<p class="ref"><a href="[^"]+">(\S+)</a> ·', page)
    assert references == [returned.reference, newest.reference, older.reference]
    assert "Lanjut Usia Terlantar" in page and "LUT" not in page.replace("LUT ", "")
    assert "Dikembalikan" in page


def test_an_officers_home_is_the_newest_cases_in_their_reach(client, alice, vera, bob):
    ours = make_case(alice)
    theirs = make_case(vera, region="63.10.01.1007")
    client.force_login(bob)
    page = text(client.get("/"))
    assert ours.reference in page
    assert theirs.reference not in page


def test_a_report_changed_a_moment_ago_says_just_now(client, alice):
    make_case(alice)
    client.force_login(alice)
    page = text(client.get("/"))
    assert ">baru saja</time>" in page
    assert "0 menit" not in page


def test_a_volunteers_home_stops_at_a_page_keeping_the_returned_ones(client, alice, monkeypatch):
    monkeypatch.setattr("web.views.HOME_PAGE", 2)
    returned = make_case(alice, category="ADK")
    make_case(alice, category="LUT")
    newest = make_case(alice, category="AT")
    type(returned).objects.filter(pk=returned.pk).update(state=CaseState.RETURNED)
    client.force_login(alice)
    references = re.findall(r'<p class="ref"><a href="[^"]+">(\S+)</a> ·', text(client.get("/")))
    assert references == [returned.reference, newest.reference]
