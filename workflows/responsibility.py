"""Who is responsible for a case, and so who is told: read from users' roles and regions.

The Dinsos of the case's kabupaten/kota and the division that handles its PPKS category (the
category's `division`, editable in the admin) own it. Duty officers are that division's active
officers there; without any, the kabupaten/kota's supervisors; without those, the province's.
"""

from django.db.models import QuerySet

from casework.models import Case, Role, User, region_and_below


def _active(role: str) -> QuerySet[User]:
    return User.objects.filter(role=role, is_active=True)


def regency_supervisors(regency_code: str) -> list[User]:
    return list(_active(Role.SUPERVISOR).filter(region_id=regency_code))


def province_supervisors(regency_code: str) -> list[User]:
    return list(_active(Role.SUPERVISOR).filter(region_id=regency_code.split(".")[0]))


def duty_officers(case: Case) -> list[User]:
    """The officers to tell about a new (or newly arrived) case, with the fallbacks above."""
    officers = list(
        _active(Role.OFFICER)
        .filter(region_and_below("region__code", case.regency_id))
        .filter(division=case.category.division)
    )
    return officers or regency_supervisors(case.regency_id) or province_supervisors(case.regency_id)


def may_be_assigned(user: User, case: Case) -> bool:
    """An active officer or supervisor of the Dinsos that owns the case (not the province's:
    provincial supervisors oversee, they do not carry cases)."""
    from casework.access import handles

    return user.is_active and handles(user, case) and user.region_id != case.regency_id[:2]
