"""The demo accounts of API.md (`seed_demo`): documented, idempotent, never without a password."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casework.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_documented_accounts_idempotently():
    call_command("seed_demo", "--password", "first-pass-123", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", "--password", "second-pass-456", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo = ["relawan_bjm", "relawan_tanbu", "petugas_bjm", "petugas_bjm_2", "petugas_tanbu",
            "supervisor_bjm", "supervisor_kalsel", "admin"]  # fmt: skip
    accounts = {
        u.username: (u.role, u.region_id, u.division)
        for u in User.objects.filter(username__in=demo)
    }
    assert accounts == {
        "relawan_bjm": ("volunteer", "63.71", ""),
        "relawan_tanbu": ("volunteer", "63.10", ""),
        "petugas_bjm": ("officer", "63.71", "rehsos"),
        "petugas_bjm_2": ("officer", "63.71", "rehsos"),
        "petugas_tanbu": ("officer", "63.10", "rehsos"),
        "supervisor_bjm": ("supervisor", "63.71", ""),
        "supervisor_kalsel": ("supervisor", "63", ""),
        "admin": ("admin", None, ""),
    }
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="petugas_bjm").check_password("second-pass-456")


def test_seed_demo_refuses_to_run_without_a_password(settings):
    settings.DEMO_PASSWORD = ""
    with pytest.raises(CommandError, match="DEMO_PASSWORD"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()
