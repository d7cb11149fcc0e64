"""JWT auth and `/me/` as API.md describes them."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_pair_for_good_credentials_and_it_works(api, bob):
    response = api.post(
        "/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    me = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.status_code == 200
    assert me.json() == {
        "id": bob.pk,
        "username": "bob",
        "full_name": "Bob",
        "role": "officer",
        "region": {"code": "63.71", "name": "Kota Banjarmasin"},
        "division": "rehsos",
        "on_duty": True,
    }


def test_refresh_gives_a_new_access_token(api, bob):
    pair = api.post(
        "/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    ).json()
    response = api.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 200
    assert "access" in response.json()


@pytest.mark.parametrize(
    "body",
    [{"username": "bob", "password": "wrong"}, {"username": "nobody", "password": PASSWORD}],
)
def test_bad_credentials_are_401(api, bob, body):
    response = api.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"


def test_missing_credentials_are_400_naming_the_field(api):
    response = api.post("/api/v1/auth/token/", {"username": "bob"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "password"


def test_inactive_user_cannot_get_a_token(api, bob):
    bob.is_active = False
    bob.save()
    response = api.post(
        "/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Bearer not-a-jwt", "Bearer", "Token abc"])
def test_garbage_tokens_are_401_json(api, header):
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] in {
        "token_not_valid",
        "authentication_failed",
        "not_authenticated",
        "bad_authorization_header",
    }


def test_another_scheme_says_how_to_send_the_token(api, bob):
    token = api.post(
        "/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    ).json()["access"]
    response = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 401
    assert response.json() == {
        "code": "bad_authorization_header",
        "message": "Kirim token sebagai 'Authorization: Bearer <token>'.",
    }


def test_an_expired_token_says_the_session_ended(api, bob, settings):
    import time_machine
    from django.utils import timezone

    token = api.post(
        "/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    ).json()["access"]
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    with time_machine.travel(timezone.now() + lifetime + lifetime, tick=False):
        expired = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    forged = api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token[:-4]}AAAA")
    assert expired.status_code == 401
    assert expired.json() == {
        "code": "token_expired",
        "message": "Sesi Anda telah berakhir: silakan masuk lagi.",
    }
    assert forged.status_code == 401 and forged.json()["code"] == "token_not_valid"


def test_me_for_the_provincial_supervisor(as_user, dina):
    assert as_user(dina).get("/api/v1/me/").json()["region"] == {
        "code": "63",
        "name": "Kalimantan Selatan",
    }


def test_a_refresh_token_works_once(api, bob):
    pair = api.post(
        "/api/v1/auth/token/", {"username": "bob", "password": PASSWORD}, format="json"
    ).json()
    first = api.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    again = api.post("/api/v1/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json")
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"


def test_password_guessing_is_throttled(api, bob, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/minute"})
    codes = [
        api.post("/api/v1/auth/token/", {"username": "bob", "password": f"guess{i}"}, format="json")
        for i in range(4)
    ]
    assert [r.status_code for r in codes] == [401, 401, 401, 429]
    assert codes[-1].json()["code"] == "throttled"
    assert int(codes[-1]["Retry-After"]) > 0
    cache.clear()
