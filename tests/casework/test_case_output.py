"""The case shape: what `CaseOutput` builds is exactly what it documents in the OpenAPI schema."""

import pytest
from rest_framework import serializers

from casework.serializers import CaseOutput
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def documented(serializer: serializers.Serializer) -> set[str]:
    return set(serializer.fields)


def test_the_built_case_has_exactly_the_documented_fields(rf, alice, bob):
    case = make_case(alice)
    request = rf.get("/")
    request.user = bob
    output = CaseOutput(case, context={"request": request})
    body = output.data
    assert set(body) == documented(output)
    assert set(body["subject"]) == documented(output.fields["subject"])
    assert set(body["region"]) == documented(output.fields["region"])
    assert set(body["reported_by"]) == documented(output.fields["reported_by"])
    assert set(body["location"]) == documented(output.fields["location"])


def test_timestamps_are_iso_8601_in_wita_with_the_offset(as_user, alice):
    body = as_user(alice).get(f"/api/v1/cases/{make_case(alice).id}/").json()
    assert body["created_at"].endswith("+08:00")
    assert body["observed_at"].endswith("+08:00")
    assert body["due_at"].endswith("+08:00")
