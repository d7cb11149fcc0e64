"""One JSON error shape for every 4xx/5xx, API or not.

    {"code": "validation_error", "message": "...", "errors": [{"field", "code", "message"}]}

`code` is a stable English machine code; messages follow the request's language (Bahasa
Indonesia unless `Accept-Language: en`). Field paths are dotted (`subject.nik`, `location.lat`).
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist, loader
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from common.error_summary import summary
from common.errors import DomainError, FieldError
from common.parsers import RequestTooLarge

logger = logging.getLogger(__name__)

NON_FIELD_KEYS = {"non_field_errors", "detail"}


def flatten_errors(detail: Any, prefix: str = "") -> list[FieldError]:
    """DRF's nested error detail as a flat list with dotted field paths."""
    if isinstance(detail, dict):
        errors: list[FieldError] = []
        for key, value in detail.items():
            path = prefix if key in NON_FIELD_KEYS else (f"{prefix}.{key}" if prefix else str(key))
            errors.extend(flatten_errors(value, path))
        return errors
    if isinstance(detail, list):
        errors = []
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            errors.extend(
                flatten_errors(item, f"{prefix}.{index}" if nested and prefix else prefix)
            )
        return errors
    code = getattr(detail, "code", None) or "invalid"
    return [FieldError(field=prefix or None, code=code, message=str(detail))]


def error_body(code: str, message: Any, errors: list[FieldError] | None = None) -> dict:
    body: dict[str, Any] = {"code": code, "message": str(message)}
    if errors:
        body["errors"] = [
            {"field": e.field, "code": e.code, "message": str(e.message)} for e in errors
        ]
    return body


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: domain and framework errors in the one shape; nothing written."""
    if isinstance(exc, DomainError):
        set_rollback()
        # A generic message gives way to the summary of the fields; a specific one stands.
        generic = exc.message is type(exc).default_message
        view = context.get("view")
        message = summary(exc.errors, view) if exc.errors and generic else exc.message
        return Response(error_body(exc.code, message, exc.errors), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, RequestDataTooBig):  # Django's own limit, before any parser's
        exc = RequestTooLarge()
    elif isinstance(exc, DjangoValidationError):  # e.g. a value the ORM refuses to look up
        exc = drf.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if not isinstance(exc, drf.APIException):
        return None  # a bug: Django's handler500 answers (JSON, logged)
    set_rollback()
    headers = {}
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth_header
    if wait := getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, drf.ValidationError):
        errors = flatten_errors(exc.detail)
        body = error_body("validation_error", summary(errors, context.get("view")), errors)
    else:
        body = error_body(_exception_code(exc), _exception_message(exc))
    return Response(body, status=exc.status_code, headers=headers)


def _exception_code(exc: drf.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict) and isinstance(code := codes.get("code"), str):
        return code  # simplejwt puts its own code beside the detail
    return exc.default_code


def _exception_message(exc: drf.APIException) -> str:
    detail: object = exc.detail
    if isinstance(detail, dict):
        detail = detail.get("detail", exc.default_detail)
    if isinstance(detail, list):
        detail = detail[0] if detail else exc.default_detail
    return str(detail)


# A page's own error (`/kasus/<id>/` out of reach, an unknown page), for a browser: the web app's
# template when it asks for HTML outside the API; the API, and anyone else, gets the JSON shape.
PAGE_ERROR_TEMPLATE = "errors/%d.html"


def _page(request: HttpRequest, status: int) -> HttpResponse | None:
    if request.path.startswith("/api/") or "text/html" not in request.headers.get("Accept", ""):
        return None
    try:
        return render(request, PAGE_ERROR_TEMPLATE % status, status=status)
    except TemplateDoesNotExist:
        return None


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404) or JsonResponse(error_body("not_found", _("Not found.")), status=404)


def _bare_page(request: HttpRequest, status: int) -> HttpResponse | None:
    """A page that needs nothing that may be what failed: no database, no session, no request
    context (a 500, or a 400 for a request Django could not read)."""
    if request.path.startswith("/api/") or "text/html" not in request.headers.get("Accept", ""):
        return None
    try:
        page = loader.get_template(PAGE_ERROR_TEMPLATE % status).render({})
    except Exception:
        return None
    return HttpResponse(page, status=status)


def json_server_error(request: HttpRequest) -> HttpResponse:
    return _bare_page(request, 500) or JsonResponse(
        error_body("server_error", _("An internal error occurred. It has been logged.")),
        status=500,
    )


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):  # a body over Django's own limit
        return JsonResponse(
            error_body("request_too_large", RequestTooLarge.default_detail), status=413
        )
    return _bare_page(request, 400) or JsonResponse(
        error_body("bad_request", _("Bad request.")), status=400
    )


def json_permission_denied(
    request: HttpRequest, exception: Exception | None = None
) -> HttpResponse:
    return _page(request, 403) or JsonResponse(
        error_body("permission_denied", _("You do not have permission to perform this action.")),
        status=403,
    )
