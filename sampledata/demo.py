"""The demo accounts of API.md, for `make run` and for trying the API by hand."""

from django.contrib.auth.hashers import make_password
from django.db import transaction

from casework.models import Division, Role, User

DEMO_ACCOUNTS = [
    # username, full name, role, region, division
    ("relawan_bjm", "Siti Rahmah", Role.VOLUNTEER, "63.71", ""),
    ("relawan_tanbu", "Ahmad Fauzi", Role.VOLUNTEER, "63.10", ""),
    ("petugas_bjm", "Rina Marlina", Role.OFFICER, "63.71", Division.REHSOS),
    ("petugas_bjm_2", "Budi Santoso", Role.OFFICER, "63.71", Division.REHSOS),
    ("petugas_tanbu", "Dewi Lestari", Role.OFFICER, "63.10", Division.REHSOS),
    ("supervisor_bjm", "Hj. Noor Aida", Role.SUPERVISOR, "63.71", ""),
    ("supervisor_kalsel", "H. Muhammad Yusuf", Role.SUPERVISOR, "63", ""),
    ("admin", "Administrator", Role.ADMIN, None, ""),
]


@transaction.atomic
def seed_demo_accounts(*, password: str) -> list[str]:
    """Create or update each demo account; the password is (re)set every time."""
    hashed = make_password(password)
    for username, full_name, role, region, division in DEMO_ACCOUNTS:
        is_admin = role == Role.ADMIN
        User.objects.update_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "role": role,
                "region_id": region,
                "division": division,
                "password": hashed,
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "is_active": True,
            },
        )
    return [account[0] for account in DEMO_ACCOUNTS]
