"""The API answers JSON, whatever the client says it accepts."""

from collections.abc import Iterable
from typing import Any

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class JsonFallbackNegotiation(DefaultContentNegotiation):
    """A client asking only for what no renderer makes (`Accept: text/html` without `DEBUG`'s
    browsable pages) gets the JSON anyway rather than a 406: the answer, in the one shape."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, Any]:
        renderers = list(renderers)
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


class FileFormatNegotiation(JsonFallbackNegotiation):
    """For an endpoint whose `format` query parameter names the file it returns (the export's
    `csv` or `xlsx`), not one of DRF's renderers: DRF would answer `?format=xlsx` with a 404
    for want of a renderer by that name. Errors are still JSON."""

    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        return list(renderers)  # `?format=` is the view's to read
