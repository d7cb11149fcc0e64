"""A browser that meets a server error or an unreadable request gets a page of the web app that
needs nothing that may have failed (no database, no session); the API keeps its JSON."""

import json

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from common.error_responses import json_bad_request, json_server_error

HTML = "text/html,application/xhtml+xml,*/*;q=0.8"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("handler", "status", "heading"),
    [
        (json_server_error, 500, "Terjadi kesalahan"),
        (json_bad_request, 400, "Permintaan tidak valid"),
    ],
)
def test_a_browser_gets_a_page_that_reads_no_database(handler, status, heading):
    request = RequestFactory().get("/kasus/", HTTP_ACCEPT=HTML)
    with CaptureQueriesContext(connection) as queries:
        response = handler(request)
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert f"<h1>{heading}</h1>" in page and 'href="/"' in page
    assert len(queries) == 0


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/kasus/"])
def test_the_api_and_a_script_keep_the_json_shape(path):
    accept = "application/json" if path.startswith("/kasus/") else HTML
    response = json_server_error(RequestFactory().get(path, HTTP_ACCEPT=accept))
    assert response.status_code == 500
    assert json.loads(response.content)["code"] == "server_error"
