"""What the OpenAPI schema says beyond what drf-spectacular finds by itself.

`ApiSchema` (DRF's DEFAULT_SCHEMA_CLASS) documents, on every operation, the errors it can
answer, each with the one error shape of `common.error_responses`, and says of every strict
body (`common.serializers.StrictSerializer`) that it takes no other field
(`additionalProperties: false`). Which errors an operation can answer follows from what it
is: who may call it, whether it names a resource in its path, reads a query or a body,
changes a case, takes an idempotency key or is throttled. Imported by `config.urls`, which
also registers the Bearer scheme below.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework_simplejwt.views import TokenViewBase

from common.serializers import SPACE_CLASS, StrictSerializer

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# What DRF's CharField takes, as patterns: no NUL (its validator refuses it) and, where a blank
# is refused, something besides what Python's strip() trims. (Lone surrogates, refused too, are
# not JSON text a client writes; a pattern naming them is one schema tools cannot use.)
_NOT_TEXT = r"\x00"
# A blank is the other branch of the `oneOf` DRF's allow_blank gets (`maxLength: 0`): this one
# must not match it too, or an empty value would match both and so neither.
ANY_TEXT = rf"^[^{_NOT_TEXT}]+$"
NOT_BLANK = rf"^[^{_NOT_TEXT}]*[^{_NOT_TEXT}{SPACE_CLASS}][^{_NOT_TEXT}]*$"
ERROR_DESCRIPTIONS = {
    "400": _("The request is invalid: `errors` names each field (or parameter) and why."),
    "401": _("No valid credentials: sign in (or refresh the token) and try again."),
    "403": _("Signed in, but this is not yours to see or do."),
    "404": _("Nothing here that you may see."),
    "409": _("Not in the case's current state (for example, the case is closed)."),
    "411": _("A body sent without its Content-Length."),
    "413": _("The body is too large."),
    "415": _("The body's media type is not one this operation reads."),
    "422": _("The Idempotency-Key was used before for a different request."),
    "414": _(
        "The request line (the path and its query) is longer than the server reads; this answer "
        "comes from the HTTP server in front of the application, as HTML."
    ),
    "429": _("Too many attempts: wait the seconds Retry-After says."),
    "431": _(
        "Too many header fields, or one too long; this answer comes from the HTTP server in "
        "front of the application, as HTML."
    ),
}
SERVER_REFUSALS = ("414", "431")  # gunicorn's own (docs/operations.md), before any of ours


class FieldErrorBody(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text=_("Dotted path into the body, or the query parameter; null: the whole request."),
    )
    code = serializers.CharField(help_text=_("A stable English machine code."))
    message = serializers.CharField(help_text=_("In the request's language."))


class ErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text=_("A stable English machine code."))
    message = serializers.CharField(
        help_text=_("For people, in the request's language (Bahasa Indonesia by default).")
    )
    # DRF's metaclass takes declared fields off the class, so this does not hide `.errors`.
    errors = FieldErrorBody(many=True, required=False)  # type: ignore[assignment]


class ApiSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        self._allow_empty_filters(operation)
        responses = operation["responses"]
        for status_code in self._error_status_codes(operation):
            if status_code not in responses:
                responses[status_code] = self._error_response(status_code)
            elif "content" not in responses[status_code]:  # a view's own words, our shape
                responses[status_code]["content"] = self._error_response(status_code)["content"]
        return operation

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field: Any, direction: Any, *args: Any, **kwargs: Any) -> Any:
        schema = super()._map_serializer_field(field, direction, *args, **kwargs)
        if (
            direction == "request"
            and isinstance(schema, dict)
            and isinstance(field, serializers.CharField)
            and field.trim_whitespace
            and not field.allow_blank
            and "pattern" not in schema
        ):
            schema["pattern"] = NOT_BLANK
        elif (
            direction == "request"
            and isinstance(schema, dict)
            and isinstance(field, serializers.CharField)
            and "pattern" not in schema
            and "enum" not in schema
        ):
            schema["pattern"] = ANY_TEXT
        return schema

    def _allow_empty_filters(self, operation: dict[str, Any]) -> None:
        """A query parameter given empty (`?state=`, as a form sends an unset field) is one not
        given; but for the page size, which is a number or refused."""
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] != "query" or parameter["name"] == "page_size":
                continue
            if schema.get("type") == "string" and not ({"enum", "pattern", "format"} & set(schema)):
                schema["pattern"] = ANY_TEXT  # a form field refuses NUL, as a body's does
            if "enum" in schema and "" not in schema["enum"]:
                schema["enum"] = [*schema["enum"], ""]
                schema.pop("minLength", None)
            if "pattern" in schema:
                schema["pattern"] = f"^$|{schema['pattern']}"
                schema.pop("minLength", None)
            elif "format" in schema:
                parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}

    def _error_status_codes(self, operation: dict[str, Any]) -> list[str]:
        parameters = operation.get("parameters", [])
        in_path = any(p["in"] == "path" for p in parameters)
        in_query = any(p["in"] == "query" for p in parameters)
        has_body = "requestBody" in operation
        security = operation.get("security") or []
        signed_in = bool(security) and {} not in security
        codes = []
        if in_query or has_body or getattr(self.view, "filterset_class", None):
            codes.append("400")
        if signed_in or isinstance(self.view, TokenViewBase):
            codes.append("401")
        if signed_in:
            codes.append("403")
        if in_path:
            codes.append("404")
        if signed_in and "{case_id}" in self.path and self.method in UNSAFE_METHODS:
            codes.append("409")
        if has_body:
            codes.extend(["411", "413", "415"])
        if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in parameters):
            codes.append("422")
        if self.view.get_throttles():
            codes.append("429")
        return [*codes, *SERVER_REFUSALS]

    def _error_response(self, status_code: str) -> dict[str, Any]:
        if status_code in SERVER_REFUSALS:
            return {
                "description": str(ERROR_DESCRIPTIONS[status_code]),
                "content": {"text/html": {"schema": {"type": "string"}}},
            }
        component = self.resolve_serializer(ErrorBody, "response")
        return {
            "description": str(ERROR_DESCRIPTIONS[status_code]),
            "content": {"application/json": {"schema": component.ref}},
        }


def link_resources(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """OpenAPI links (a SPECTACULAR postprocessing hook): a new case's id opens every operation
    on a case, an inbox page's first item can be marked read. Clients and schema tools (the
    contract run's stateful phase) follow them."""
    paths = result["paths"]
    case_ops = {
        op["operationId"]: op
        for path, ops in paths.items()
        if "{case_id}" in path and "{attachment_id}" not in path
        for op in ops.values()
    }
    created = paths["/api/v1/cases/"]["post"]["responses"]["201"]
    created["links"] = {
        name: {"operationId": name, "parameters": {"case_id": "$response.body#/id"}}
        for name in sorted(case_ops)
    }
    read = paths["/api/v1/notifications/{item_id}/read/"]["post"]["operationId"]
    inbox = paths["/api/v1/notifications/"]["get"]["responses"]["200"]
    inbox["links"] = {
        read: {"operationId": read, "parameters": {"item_id": "$response.body#/results/0/id"}}
    }
    return result


class BearerScheme(SimpleJWTScheme):
    """`config.authentication.BearerAuthentication` is simplejwt's scheme, as the schema says."""

    target_class = "config.authentication.BearerAuthentication"
