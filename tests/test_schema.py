"""What the published OpenAPI schema says of the API (issue 11, item 10): the errors each
operation can answer and their shape, strict bodies, the form of codes and ids, the links a
client can follow. tests/test_api_contract.py holds the server to it."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/?format=json").json()


def operation(schema, method: str, path: str) -> dict:
    return schema["paths"][path][method]


def test_every_operation_documents_its_errors_in_the_one_error_shape(schema):
    error = schema["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"code", "message"}
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            if "security" in op and {} not in op["security"]:
                assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in op:
                assert {"400", "413", "415"} <= codes, (method, path)
            for code, response in op["responses"].items():
                if code >= "400" and code not in ("414", "431"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorBody", (method, path, code)


def test_each_operation_documents_what_is_particular_to_it(schema):
    assert "409" in operation(schema, "post", "/api/v1/cases/{case_id}/verify/")["responses"]
    assert "422" in operation(schema, "post", "/api/v1/cases/")["responses"]  # idempotency
    assert "429" in operation(schema, "post", "/api/v1/auth/token/")["responses"]
    assert "409" not in operation(schema, "get", "/api/v1/cases/{case_id}/")["responses"]


@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/cases/{case_id}/attachments/"])
def test_the_creates_a_phone_retries_take_an_idempotency_key(schema, path):
    create = operation(schema, "post", path)
    headers = [p["name"] for p in create["parameters"] if p["in"] == "header"]
    assert headers == ["Idempotency-Key"]
    assert "422" in create["responses"]


def test_strict_bodies_say_they_take_no_other_field(schema):
    components = schema["components"]["schemas"]
    strict = ("CaseInputRequest", "VerifyInputRequest", "NoteInputRequest", "PatchedMeInputRequest")
    for name in strict:
        assert components[name]["additionalProperties"] is False, name


def test_codes_ids_and_cursors_have_their_form(schema):
    components = schema["components"]["schemas"]
    region = components["CaseInputRequest"]["properties"]["region"]
    assert region["pattern"] == r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
    category = components["CaseInputRequest"]["properties"]["category"]["allOf"][0]["$ref"]
    assert "LUT" in components[category.rsplit("/", 1)[1]]["enum"]
    assignee = components["AssignInputRequest"]["properties"]["assignee"]
    assert (assignee["minimum"], assignee["maximum"]) == (1, 2**63 - 1)
    parameters = {
        p["name"]: p["schema"] for p in operation(schema, "get", "/api/v1/cases/")["parameters"]
    }
    assert parameters["cursor"]["maxLength"] == 200
    assert parameters["page_size"]["minimum"] == 1
    assert "-created_at" in parameters["ordering"]["enum"]


def test_a_new_case_links_to_every_operation_on_it(schema):
    links = operation(schema, "post", "/api/v1/cases/")["responses"]["201"]["links"]
    on_a_case = {
        op["operationId"]
        for path, ops in schema["paths"].items()
        if "{case_id}" in path and "{attachment_id}" not in path
        for op in ops.values()
    }
    assert set(links) == on_a_case
    assert {link["parameters"]["case_id"] for link in links.values()} == {"$response.body#/id"}


def test_the_locate_operation_takes_two_numbers_and_answers_a_place(schema):
    op = operation(schema, "get", "/api/v1/regions/locate/")
    parameters = {p["name"]: p for p in op["parameters"]}
    assert set(parameters) == {"lat", "lon"}
    assert all(p["required"] and p["schema"]["type"] == "number" for p in parameters.values())
    assert (parameters["lat"]["schema"]["minimum"], parameters["lat"]["schema"]["maximum"]) == (
        -90,
        90,
    )
    assert {"400", "401"} <= set(op["responses"])
    place = schema["components"]["schemas"]["PlaceOutput"]
    assert set(place["required"]) == {
        "regency",
        "district",
        "village",
        "exact",
        "message",
        "reason",
    }
