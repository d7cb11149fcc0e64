"""Human references: `<regency>-<year>-<number>`, unique per kabupaten/kota and year."""

import re

import pytest
import time_machine

from tests.concurrency import run_concurrently
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_reference_names_the_regency_year_and_a_running_number(alice):
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        first = make_case(alice, region="63.71.04.1003")
        second = make_case(alice, region="63.71.01")
    assert (first.reference, second.reference) == ("6371-2026-000001", "6371-2026-000002")


def test_each_regency_counts_separately(alice):
    with time_machine.travel("2026-11-23 10:00 +0800", tick=False):
        bjm = make_case(alice, region="63.71.04.1003")
        tanbu = make_case(alice, region="63.10.01")
    assert (bjm.reference, tanbu.reference) == ("6371-2026-000001", "6310-2026-000001")


def test_the_year_is_the_year_in_wita_and_numbering_restarts(alice):
    # 31 Dec 2026 16:30 UTC is already 1 Jan 2027 00:30 in Banjarmasin.
    with time_machine.travel("2026-12-31 15:59 +0000", tick=False):
        december = make_case(alice)
    with time_machine.travel("2026-12-31 16:30 +0000", tick=False):
        new_year = make_case(alice)
    assert (december.reference, new_year.reference) == ("6371-2026-000001", "6371-2027-000001")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_references_stay_unique_and_gapless_under_concurrent_reports(alice):
    results = run_concurrently(20, lambda i: make_case(alice, name=f"Orang {i}").reference)
    assert all(isinstance(r, str) for r in results), results
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in results)
    assert numbers == list(range(1, 21))
    assert all(re.fullmatch(r"6371-\d{4}-\d{6}", r) for r in results)
