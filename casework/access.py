"""Who may see which case, and whose personal data they may see. Decided here and nowhere else.

- volunteers: the cases they reported;
- officers: the cases of their kabupaten/kota (and any they reported themselves);
- supervisors: the cases of their region (a kabupaten/kota, or the whole province);
- anyone else, administrators included, none (they run the system, not the cases).
A case outside a user's reach does not exist for them: selectors answer 404, never 403.

Of a case they see, the Dinas Sosial handling it reads every text written on it; its reporter
(anyone else who sees it) reads only what is written for them: `sees_internal_texts`, and for
the history, `workflows.disclosure`.
"""

from typing import TYPE_CHECKING, cast

from django.db.models import Q

from casework.models import Case, NoteVisibility, Role, User, region_and_below

if TYPE_CHECKING:
    from rest_framework.request import Request

NOTHING = Q(pk__in=[])


def jurisdiction_root(user: User) -> str | None:
    """The region whose cases the user's office is responsible for: a supervisor's own region
    (the province, or a kabupaten/kota), an officer's kabupaten/kota; None for anyone else."""
    if user.role not in (Role.OFFICER, Role.SUPERVISOR) or user.region_id is None:
        return None
    if _is_province(user.region_id):
        return user.region_id if user.role == Role.SUPERVISOR else None
    return user.region_id[:5]


def jurisdiction_q(user: User) -> Q:
    """The cases the user's office is responsible for (not counting their own reports)."""
    root = jurisdiction_root(user)
    if root is None:
        return NOTHING
    if _is_province(root):
        return region_and_below("regency__code", root)
    return Q(regency_id=root)


def visible_cases_q(user: User) -> Q:
    return jurisdiction_q(user) | Q(reported_by_id=user.pk)


def in_jurisdiction(user: User, regency_code: str) -> bool:
    """The same rule as `jurisdiction_q`, for one case already in memory (no query)."""
    if user.role not in (Role.OFFICER, Role.SUPERVISOR) or user.region_id is None:
        return False
    if user.role == Role.SUPERVISOR and _is_province(user.region_id):
        return regency_code.startswith(f"{user.region_id}.")
    return regency_code == user.region_id[:5]


def may_see_personal_data(user: User, case: Case) -> bool:
    """NIK and phone in full: the reporter, and officers/supervisors of the case's region."""
    return case.reported_by_id == user.pk or in_jurisdiction(user, case.regency_id)


def sees_internal_texts(user: User, case: Case) -> bool:
    """Assessment, assign and reopen notes, transfer reasons, internal notes: read by the officers
    and supervisors of the case's region, as every other detail of it. Anyone else who sees the
    case is its reporter (a volunteer, or staff of another office who filed it) and reads only
    what is written for them (a return's reason, the outcome, the notes for the reporter)."""
    return in_jurisdiction(user, case.regency_id)


def notes_visible_q(user: User, case: Case) -> Q:
    """The notes of `case` that `user` reads: all of them, or those for the reporter and their
    own."""
    if sees_internal_texts(user, case):
        return Q()
    return Q(visibility=NoteVisibility.REPORTER) | Q(author_id=user.pk)


def logs_full_reads(user: User) -> bool:
    """Reads of personal data by Dinsos staff are recorded for data-protection requests."""
    return user.role in (Role.OFFICER, Role.SUPERVISOR)


def _is_province(code: str) -> bool:
    return "." not in code


def may_report(user: User) -> bool:
    return user.role in (Role.VOLUNTEER, Role.OFFICER, Role.SUPERVISOR)


def handles(user: User, case: Case) -> bool:
    """Dinsos staff (officer or supervisor) responsible for the case's kabupaten/kota."""
    return in_jurisdiction(user, case.regency_id)


def supervises(user: User, case: Case) -> bool:
    return user.role == Role.SUPERVISOR and in_jurisdiction(user, case.regency_id)


def works_on(user: User, case: Case) -> bool:
    """The case's assigned officer (still of its Dinsos), or a supervisor of its region."""
    return (case.assigned_to_id == user.pk and handles(user, case)) or supervises(user, case)


def request_user(request: "Request") -> User:
    """The signed-in user of an API request that passed its permission checks. Every endpoint
    requires one (`IsAuthenticated` is the default, and the permissions replacing it extend it),
    so it is our `User`, never an `AnonymousUser`: the types cannot know that, this says it."""
    return cast(User, request.user)
