"""The API's JSON parser: a size limit, and a parse error in the request's language."""

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

DRF_PARSE_PREFIX = "JSON parse error - "


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = _("The request body is too large.")


class LimitedJSONParser(JSONParser):
    """A case report is a few kilobytes, never megabytes (attachments use multipart)."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        if length > settings.MAX_JSON_BODY_BYTES:
            raise RequestTooLarge()
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # absurdly nested JSON: json.load gives up, DRF misses it
            raise ParseError(gettext("The JSON is nested too deeply.")) from exc
        except ParseError as exc:
            # DRF builds this message without marking it for translation.
            detail = str(exc.detail).removeprefix(DRF_PARSE_PREFIX)
            raise ParseError(gettext("JSON parse error - {detail}").format(detail=detail)) from exc
