"""HTTP plumbing every API response goes through."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from common.error_responses import error_body
from common.error_summary import summary
from common.errors import FieldError

API_PREFIX = "/api/"


class NoStoreMiddleware:
    """Nothing the API answers, and no page, is kept by a browser, a proxy or a phone's cache:
    they carry personal data (lists, exports, history, notes, a case page) or follow from it, and
    a page kept would come back with the Back button after signing out. A view that sets its own
    `Cache-Control` keeps it (the service worker, the region list); static files never pass here
    (WhiteNoise answers them first). The field app's form is kept by its service worker, which
    no HTTP header governs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        page = response.get("Content-Type", "").startswith("text/html")
        if (request.path.startswith(API_PREFIX) or page) and not response.has_header(
            "Cache-Control"
        ):
            response["Cache-Control"] = "no-store"
        return response


class SingleQueryValueMiddleware:
    """An API query parameter is given once: with two values, Django reads the last and a
    refused first one would pass unseen (no list of the API takes a repeated parameter)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            repeated = sorted(name for name, values in request.GET.lists() if len(values) > 1)
            if repeated:
                errors = [
                    FieldError(field=name, code="repeated", message=_("Give this parameter once."))
                    for name in repeated
                ]
                return JsonResponse(
                    error_body("validation_error", summary(errors, None), errors), status=400
                )
        return self.get_response(request)


class BodyLengthMiddleware:
    """A body sent without a length (`Transfer-Encoding: chunked`) reaches Django as no body at
    all: under WSGI nothing reads it. Rather than answer as if the fields were missing, say
    what is wrong (411, in the error shape): send it with its `Content-Length`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            message = _("Send the request body with its Content-Length (no chunked encoding).")
            return JsonResponse(error_body("length_required", message), status=411)
        return self.get_response(request)
