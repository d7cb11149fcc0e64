"""Fuzz every API operation from its own OpenAPI schema: no input may produce a server error.

Schemathesis generates valid and invalid requests for each operation (from the schema the API
serves) and sends them in-process to the WSGI app, on the test database, as an authenticated
officer. The check is the one a user would notice first: never a 5xx. (Its pytest plugin does
not support pytest 9 yet, so its Hypothesis strategies are driven directly.)
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis import GenerationMode

from tests.factories import make_case

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 30
# Local runs explore new inputs each time (that is how they find bugs); CI replays a fixed set,
# so a red CI always means a change broke something, never that the dice found an old bug.
DERANDOMIZE = os.environ.get("CI") == "true"


@pytest.fixture
def keep_test_connection():
    """As Django's test client does: a request must not close the test's own connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_generated_request_is_a_server_error(alice, bob, keep_test_connection):
    case_id = str(make_case(alice).id)
    headers = {"Authorization": f"Bearer {AccessToken.for_user(bob)}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    failures: list[str] = []
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(mode)
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        )

        @given(case=strategy, anchor=st.booleans())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=DERANDOMIZE,
            suppress_health_check=list(HealthCheck),
        )
        def probe(case, anchor: bool) -> None:
            if case.path_parameters and "case_id" in case.path_parameters:
                case.path_parameters["case_id"] = case_id  # reach a real case, not only 404s
            if anchor and isinstance(case.body, dict):
                # Random codes never exist; anchor half the bodies so the rest goes deeper.
                case.body.update(category="LUT", region="63.71.04.1003")
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:300]}")

        probe()
    assert failures == []
