"""`make run` serves with Django's development server, whose access line names the request: its
query string is cut, because a name typed into a search travels in it (gunicorn's access log
format in the image carries the path only, `tests/test_image.py`)."""

import logging

from django.core.servers.basehttp import WSGIRequestHandler


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_the_development_servers_access_line_has_no_query_string():
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)  # no socket: only its log line
    handler.requestline = "GET /kasus/?search=Nenek+Aminah&page_size=5 HTTP/1.1"
    handler.request_version = "HTTP/1.1"
    handler.client_address = ("127.0.0.1", 5000)
    handler.request = None
    lines = Lines()
    server_log = logging.getLogger("django.server")
    server_log.addHandler(lines)
    try:
        handler.log_request(200, 1234)
    finally:
        server_log.removeHandler(lines)
    assert lines.lines == ['"GET /kasus/ HTTP/1.1" 200 1234']
    assert "Aminah" not in " ".join(lines.lines)
