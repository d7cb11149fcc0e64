"""Reference data: complete, idempotent, and served by the API (demo accounts:
tests/sampledata/test_demo.py)."""

import pytest
from django.core.management import call_command
from django.db import connection

from casework.models import Category, Region

pytestmark = pytest.mark.django_db


def test_all_of_kalimantan_selatan_is_loaded():
    levels = ("province", "regency", "district", "village")
    counts = {level: Region.objects.filter(level=level).count() for level in levels}
    assert counts == {"province": 1, "regency": 13, "district": 156, "village": 2016}
    assert Region.objects.get(code="63.71").name == "Kota Banjarmasin"
    assert Region.objects.get(code="63.71.04.1003").parent_id == "63.71.04"


def test_every_category_is_explained_in_both_languages():
    lut = Category.objects.get(code="LUT")
    assert lut.description == (
        "Lansia (60 tahun ke atas) yang tidak terurus: tidak ada yang merawat atau kebutuhan "
        "dasarnya tidak terpenuhi."
    )
    assert lut.description_en == (
        "An older person (60 or over) left uncared for: no one looks after them or their basic "
        "needs go unmet."
    )
    for category in Category.objects.all():
        for words in (category.description, category.description_en):
            assert 8 <= len(words.split()) <= 25, (category.code, words)
            assert category.code not in words.split(), (category.code, words)


def test_loading_twice_changes_nothing_and_keeps_an_admins_division_edit():
    Category.objects.filter(code="LUT").update(division="linjamsos", description="Lama.")
    Region.objects.filter(code="63.71").update(name="Renamed")
    call_command("load_reference_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Region.objects.count() == 2186
    assert Category.objects.count() == 26
    assert Region.objects.get(code="63.71").name == "Kota Banjarmasin"  # names follow the data
    assert Category.objects.get(code="LUT").division == "linjamsos"  # routing is the admin's
    assert Category.objects.get(code="LUT").description.startswith("Lansia")  # as the names


def test_an_admin_sees_and_can_edit_a_categorys_explanations(client, adam):
    client.force_login(adam)
    page = client.get("/admin/casework/category/LUT/change/").content.decode()
    assert '<textarea name="description"' in page and '<textarea name="description_en"' in page
    assert "Lansia (60 tahun ke atas) yang tidak terurus" in page
    assert "Penjelasan dalam bahasa Inggris" in page


def test_categories_endpoint_lists_the_26_ppks(as_user, alice):
    rows = as_user(alice).get("/api/v1/categories/").json()
    assert len(rows) == 26
    assert rows[7] == {
        "code": "LUT",
        "name": "Lanjut Usia Terlantar",
        "name_en": "Neglected older person (60+)",
        "description": (
            "Lansia (60 tahun ke atas) yang tidak terurus: tidak ada yang merawat atau "
            "kebutuhan dasarnya tidak terpenuhi."
        ),
        "description_en": (
            "An older person (60 or over) left uncared for: no one looks after them or their "
            "basic needs go unmet."
        ),
        "division": "rehsos",
    }
    assert all(r["description"] and r["description_en"] for r in rows)
    assert {r["code"] for r in rows if r["division"] == "linjamsos"} >= {"KTR", "KTK"}


def test_regions_by_parent_level_and_search(as_user, alice):
    client = as_user(alice)
    regencies = client.get("/api/v1/regions/", {"parent": "63", "page_size": 50}).json()
    assert len(regencies["results"]) == 13
    tanah_laut = {
        "code": "63.01",
        "name": "Kabupaten Tanah Laut",
        "level": "regency",
        "parent": "63",
    }
    assert regencies["results"][0] == tanah_laut
    cities = client.get("/api/v1/regions/", {"level": "regency", "search": "Kota B"}).json()
    assert [r["code"] for r in cities["results"]] == ["63.71", "63.72"]
    by_code = client.get("/api/v1/regions/", {"search": "63.71.04"}).json()["results"]
    assert by_code[0]["code"] == "63.71.04"
    assert all(r["code"].startswith("63.71.04") for r in by_code)


@pytest.mark.parametrize(
    ("param", "value"), [("level", "planet"), ("search", "Banjar\x00"), ("parent", "6" * 20)]
)
def test_bad_region_parameters_are_400_naming_them(as_user, alice, param, value):
    response = as_user(alice).get("/api/v1/regions/", {param: value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == param


def test_regions_are_paginated(as_user, alice):
    page = as_user(alice).get("/api/v1/regions/").json()
    assert len(page["results"]) == 100
    assert page["next"]


def explain(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny test tables: ask "can it?"
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_region_prefix_lookup_is_an_index_range_scan():
    plan = explain(Region.objects.within("63.71"))
    assert "Seq Scan" not in plan
    assert "~>=~ '63.71.'" in plan  # varchar_pattern_ops turns LIKE '63.71.%' into a range


@pytest.mark.postgres
def test_case_region_filter_is_an_index_range_scan():
    from casework.filters import CaseFilter
    from casework.models import Case

    queryset = CaseFilter({"region": "63.71.04"}, queryset=Case.objects.all()).qs
    plan = explain(queryset)
    assert "Seq Scan" not in plan
    assert "~>=~ '63.71.04.'" in plan
