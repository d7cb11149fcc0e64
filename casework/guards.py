"""The guards of `Case`'s transitions: who may perform one (django-fsm `permission=`) and what
data it needs (`conditions=`).

The rules of jurisdiction live in `casework.access`, imported late: it imports the models, which
import these. django-fsm types the guards for any model and any kind of user; it calls ours with
the Case whose transition is checked and the `User` the workflow passes in, which the two
decorators state.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.db import models

if TYPE_CHECKING:
    from casework.models import Case, User


def _permission(rule: Callable[["Case", "User"], bool]) -> Callable[[models.Model, Any], bool]:
    return cast(Callable[[models.Model, Any], bool], rule)


def _condition(rule: Callable[["Case"], bool]) -> Callable[[models.Model], bool]:
    return cast(Callable[[models.Model], bool], rule)


@_permission
def may_handle(case: "Case", user: "User") -> bool:
    from casework.access import handles

    return handles(user, case)


@_permission
def may_report_or_handle(case: "Case", user: "User") -> bool:
    return case.reported_by_id == user.pk or may_handle(case, user)


@_permission
def may_work_on(case: "Case", user: "User") -> bool:
    from casework.access import works_on

    return works_on(user, case)


@_permission
def may_supervise(case: "Case", user: "User") -> bool:
    from casework.access import supervises

    return supervises(user, case)


@_condition
def is_assigned(case: "Case") -> bool:
    return case.assigned_to_id is not None
