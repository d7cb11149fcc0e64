"""Query plans at volume (PostgreSQL): the filtered lists and the dashboard read through indexes
and tallies, never a scan of every case, so they stay fast as the years of cases pile up.

The data is the generator's (thousands of cases across the province, statistics fresh); each
request's SQL is captured and EXPLAINed as the server would run it. A plan regression (a
dropped index, a predicate that stops matching a partial index) fails here, not in production.
"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from casework.models import User
from workflows.sla import load_default_sla

CASES = 20_000
BIG_TABLES = ("casework_case", "workflows_historyentry", "casework_subject")


def plans(user: User, url: str) -> list[tuple[str, list[str]]]:
    """(SQL, the scans of its plan) for each statement the request ran on a big table."""
    api = APIClient()
    api.force_authenticate(user)
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200, response.content
    found = []
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            if not any(table in sql for table in BIG_TABLES):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]  # psycopg hands the JSON over decoded
            plan = json.loads(plan) if isinstance(plan, str) else plan
            found.append((sql, list(_scans(plan[0]["Plan"]))))
    return found


def _scans(node: dict):
    """'<scan> on <table> (<index>)' per scan node; a bitmap index scan names no table."""
    if "Scan" in node["Node Type"] and ("Relation Name" in node or "Index Name" in node):
        table = node.get("Relation Name", "-")
        yield f"{node['Node Type']} on {table} ({node.get('Index Name', '')})"
    for child in node.get("Plans", []):
        yield from _scans(child)


def full_scans(found: list[tuple[str, list[str]]]) -> list[str]:
    return [
        f"{scan}: {sql[:200]}"
        for sql, scans in found
        for scan in scans
        if scan.startswith(("Seq Scan", "Parallel Seq Scan"))
        and any(f" on {table} " in scan for table in BIG_TABLES)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the generator writes through its own connection
def test_filtered_lists_and_the_dashboard_never_scan_every_case():
    call_command("seed_demo", "--password=plans-demo-12345", verbosity=0)
    load_default_sla()
    call_command("generate_cases", "--count", str(CASES), verbosity=0)
    province = User.objects.get(username="supervisor_kalsel")
    kabupaten = User.objects.get(username="supervisor_bjm")
    requests = {
        "overdue list": (province, "/api/v1/cases/?overdue=true&page_size=50"),
        "region-prefix list": (province, "/api/v1/cases/?region=63.71.04&page_size=50"),
        "category list": (province, "/api/v1/cases/?category=FM&page_size=50"),
        "state list": (kabupaten, "/api/v1/cases/?state=reported&page_size=50"),
        "province dashboard": (province, "/api/v1/dashboard/"),
        "kabupaten dashboard": (kabupaten, "/api/v1/dashboard/"),
    }
    problems = {}
    for name, (user, url) in requests.items():
        if scans := full_scans(plans(user, url)):
            problems[name] = scans

    assert problems == {}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_overdue_and_region_filters_use_their_indexes():
    """The two the issue names, by index: a plan that drifts to another index is a regression
    worth a look even when it is not a full scan."""
    call_command("seed_demo", "--password=plans-demo-12345", verbosity=0)
    load_default_sla()
    call_command("generate_cases", "--count", str(CASES), verbosity=0)
    province = User.objects.get(username="supervisor_kalsel")

    def used(url: str) -> set[str]:
        return {
            scan.split("(")[-1].rstrip(")")
            for _, scans in plans(province, url)
            for scan in scans
            if "casework_case" in scan or scan.startswith("Bitmap Index Scan")
        } - {""}

    # Overdue: an index holding only the open cases (the overdue are among them).
    overdue = used("/api/v1/cases/?overdue=true&page_size=50")
    assert overdue & {"case_open_due", "case_open_created", "case_open_regency"}, overdue
    # A desa, a kecamatan: the case's region index, matched as a prefix range.
    for region in ("63.71.04.1003", "63.05.01"):
        scans = used(f"/api/v1/cases/?region={region}&page_size=50")
        assert any("region" in name for name in scans), (region, scans)
    # The dashboard's open cases of a kabupaten/kota: the partial covering index.
    assert "case_open_regency" in used("/api/v1/dashboard/?region=63.71")
