"""User records: field staff need what the service relies on to scope and route their work."""

import pytest
from django.core.exceptions import ValidationError

from casework.models import User

pytestmark = pytest.mark.django_db


def errors_of(user: User) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    return {field: [m.code or "" for m in msgs] for field, msgs in caught.value.error_dict.items()}


def test_a_complete_officer_is_valid():
    officer = User(username="ok", role="officer", region_id="63.71", division="rehsos")
    officer.phone, officer.password = "+6281234567890", "x"
    officer.full_clean()  # raises if anything is missing


def test_officer_without_region_or_division_is_refused():
    assert set(errors_of(User(username="o", role="officer", password="x"))) == {
        "region",
        "division",
    }


def test_officer_cannot_be_attached_to_the_province():
    user = User(username="o", role="officer", region_id="63", division="rehsos", password="x")
    assert set(errors_of(user)) == {"region"}


def test_volunteer_needs_a_region_but_admin_does_not():
    assert set(errors_of(User(username="v", role="volunteer", password="x"))) == {"region"}
    User(username="a", role="admin", password="x").full_clean()


@pytest.mark.parametrize("phone", ["081234567890", "+6581234567", "+62 812 3456 7890"])
def test_user_phone_must_be_indonesian_e164(phone):
    user = User(username="p", role="admin", phone=phone, password="x")
    assert set(errors_of(user)) == {"phone"}
