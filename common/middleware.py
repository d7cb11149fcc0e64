"""HTTP plumbing every API response goes through."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from common.error_responses import error_body

API_PREFIX = "/api/"


class NoStoreApiMiddleware:
    """Nothing the API answers is kept by a browser, a proxy or a phone's cache: its answers
    carry personal data (lists, exports, history, notes) or follow from it. A view that sets its
    own `Cache-Control` keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


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
