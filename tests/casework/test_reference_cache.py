"""Each process caches regions and categories for intake; edits reach it as documented."""

import pytest
from django.test import Client

from casework.models import Category
from tests.factories import case_payload

pytestmark = pytest.mark.django_db


def file_case(client):
    return client.post("/api/v1/cases/", case_payload(category="LUT"), format="json")


def test_a_category_deactivated_in_the_admin_is_refused_at_once(as_user, alice, adam):
    assert file_case(as_user(alice)).status_code == 201  # the cache is warm now
    admin = Client()
    admin.force_login(adam)
    lut = Category.objects.get(code="LUT")
    response = admin.post(
        "/admin/casework/category/LUT/change/",
        {
            "code": "LUT",
            "name": lut.name,
            "name_en": lut.name_en,
            "division": lut.division,
            "sensitive_data": lut.sensitive_data,
            "sort_order": lut.sort_order,
        },  # is_active unticked
    )
    assert response.status_code == 302
    refused = file_case(as_user(alice))
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "does_not_exist"


def test_a_change_made_elsewhere_is_seen_once_the_copy_is_older_than_the_period(
    as_user, alice, settings
):
    client = as_user(alice)
    assert file_case(client).status_code == 201
    Category.objects.filter(code="LUT").update(is_active=False)  # e.g. another process
    assert file_case(client).status_code == 201  # this process's copy is still fresh
    settings.REFERENCE_CACHE_SECONDS = 0
    assert file_case(client).status_code == 400
