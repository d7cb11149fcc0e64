"""Domain errors raised by services and selectors; `common.error_responses` maps them to HTTP.

Messages are lazy translations: the handler renders them in the request's language.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FieldError:
    field: str | None  # dotted path into the request body, e.g. "subject.nik"; None: the whole body
    code: str
    message: str | Promise
    # The field in words, when its path is not a field of the view's input (a query parameter
    # of the paginator, a header): else `common.error_summary` finds it.
    label: str | Promise | None = None


class DomainError(Exception):
    status_code = 400
    code = "error"
    default_message: str | Promise = _("The request could not be processed.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.errors = errors or []
        super().__init__(str(self.code))


class ValidationFailed(DomainError):
    code = "validation_error"
    default_message = _("Some fields are invalid.")

    @classmethod
    def for_field(
        cls, field: str, code: str, message: str | Promise, *, label: str | Promise | None = None
    ) -> "ValidationFailed":
        return cls(errors=[FieldError(field=field, code=code, message=message, label=label)])


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"
    default_message = _("You do not have permission to perform this action.")


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = _("The request conflicts with the current state of the resource.")


class Unprocessable(DomainError):
    status_code = 422
    code = "unprocessable"
    default_message = _("The request cannot be processed.")
