"""A refused form, as a page shows it: the summary the API would give (`common.error_summary`,
or a service's own message) above the form, and each field's reasons beside it."""

from dataclasses import dataclass

from rest_framework import serializers

from common.error_responses import flatten_errors
from common.error_summary import summary
from common.errors import DomainError, FieldError


@dataclass
class Refusal:
    message: str
    by_input: dict[str, str]  # the form's input name -> its reasons


class _Reads:
    """What `common.error_summary` asks of a view: the body serializer it reads."""

    def __init__(self, serializer_class: type[serializers.Serializer]) -> None:
        self.input_serializer_class = serializer_class


def of_serializer(
    serializer: serializers.Serializer, *, shown_at: dict[str, str] | None = None
) -> Refusal:
    return _refusal(flatten_errors(serializer.errors), type(serializer), None, shown_at)


def of_domain_error(
    exc: DomainError,
    serializer_class: type[serializers.Serializer],
    *,
    shown_at: dict[str, str] | None = None,
) -> Refusal:
    # As the API answers it: a generic message gives way to the summary, a specific one stands.
    generic = exc.message is type(exc).default_message
    own = None if exc.errors and generic else str(exc.message)
    return _refusal(exc.errors, serializer_class, own, shown_at)


def _refusal(
    errors: list[FieldError],
    serializer_class: type[serializers.Serializer],
    message: str | None,
    shown_at: dict[str, str] | None,
) -> Refusal:
    by_input: dict[str, list[str]] = {}
    for error in errors:
        # A nested field ("subject.nik") is an input of its own name on a page's flat form.
        name = (error.field or "").rsplit(".", 1)[-1]
        name = (shown_at or {}).get(name, name)
        by_input.setdefault(name, []).append(str(error.message))
    return Refusal(
        message=message or summary(errors, _Reads(serializer_class)),
        by_input={name: " ".join(reasons) for name, reasons in by_input.items()},
    )
