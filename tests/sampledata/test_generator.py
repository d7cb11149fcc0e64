"""`manage.py generate_cases`: plausible cases, each consistent with the workflow."""

import io
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from casework.models import Case, CaseState, Outcome, Region
from casework.references import allocate_reference, format_reference, reference_year
from supervision import dashboard
from supervision.scope import Scope
from tests.workflows.tallying import tally_rows
from workflows import deadlines, tallies
from workflows.models import HistoryEntry
from workflows.sla import load_default_sla
from workflows.steps import MOVES


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # COPY writes through a connection of its own
def test_generated_cases_are_spread_and_consistent_with_the_workflow():
    call_command("seed_demo", "--password=generated-demo-1", verbosity=0)
    load_default_sla()
    out = io.StringIO()

    call_command("generate_cases", "--count", "600", stdout=out)

    assert "600 cases" in out.getvalue() and "600/600" in out.getvalue()  # the progress bar
    cases = Case.objects.all()
    assert cases.count() == 600
    assert cases.values("reference").distinct().count() == 600
    assert cases.values("regency").distinct().count() >= 10
    assert cases.values("category").distinct().count() >= 10
    assert set(cases.values_list("state", flat=True)) == set(CaseState.values)
    closed = cases.filter(state=CaseState.CLOSED)
    assert set(closed.values_list("outcome", flat=True)) == set(Outcome.values)
    assert not closed.filter(due_at__isnull=False).exists()
    assert not cases.exclude(state=CaseState.CLOSED).filter(due_at__isnull=True).exists()
    assert not cases.filter(state__in=["verified", "assisted"], assigned_to__isnull=True).exists()
    assert not closed.filter(outcome=Outcome.REFERRED, referred_to="").exists()
    # Every case's history starts with its report and ends in its state.
    firsts = HistoryEntry.objects.filter(action="report").values("case").annotate(n=Count("id"))
    assert firsts.count() == 600 and {row["n"] for row in firsts} == {1}
    for case in cases.order_by("?")[:50]:
        last = case.history.order_by("at", "id").last()
        assert last.to_state == case.state
        assert last.at == case.state_changed_at
    regions = set(Region.objects.values_list("code", flat=True))
    assert set(cases.values_list("region", flat=True)) <= regions


@pytest.mark.django_db
def test_generate_cases_refuses_what_it_cannot_do():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_cases", "--count", "0")
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL"):
            call_command("generate_cases", "--count", "5")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_generate_cases_says_what_is_missing():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("generate_cases", "--count", "5")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_generated_cases_come_with_exact_dashboard_tallies():
    """The generator recounts the tallies once at the end: they equal a rebuild, and the
    dashboard read from them equals the one computed from the cases."""
    call_command("seed_demo", "--password=generated-demo-1", verbosity=0)
    load_default_sla()
    call_command("generate_cases", "--count", "3000", verbosity=0)
    generated = tally_rows()
    now = timezone.now()

    tallies.rebuild_here()

    assert tally_rows() == generated
    assert sum(r.get("closed", 0) for k, r in generated.items() if k[0] == "CaseTally") > 0
    for code in ("63", "63.71", "63.05"):
        scope = Scope(region=Region.objects.get(code=code))
        counted = dashboard.dashboard(scope, now=now, use_tallies=False)
        assert dashboard.dashboard(scope, now=now) == counted
    # The generated histories say which steps met their deadline, as the services record it.
    met = HistoryEntry.objects.filter(payload__sla__on_time=True).count()
    late = HistoryEntry.objects.filter(payload__sla__on_time=False).count()
    assert met > 0 and late > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_generated_cases_follow_the_products_own_rules():
    """Histories walk the declared transitions; deadlines, escalation state and references are
    what `workflows.deadlines` and `casework.references` give, so the product treats generated
    cases exactly like reported ones (the next reference follows the last generated one)."""
    call_command("seed_demo", "--password=generated-demo-1", verbosity=0)
    load_default_sla()
    call_command("generate_cases", "--count", "400", verbosity=0)
    moves = {(m.action, m.source, m.target or m.source) for m in MOVES}
    now = timezone.now()
    for case in Case.objects.all():
        rows = list(case.history.order_by("at", "id"))
        assert (rows[0].action, rows[0].to_state) == ("report", "reported")
        for before, row in itertools.pairwise(rows):
            assert row.from_state == before.to_state
            assert (row.action, row.from_state, row.to_state) in moves
        expected_due = deadlines.due_at(
            state=case.state,
            urgency=case.urgency,
            category_id=case.category_id,
            entered_at=case.state_changed_at,
        )
        assert case.due_at == expected_due
        entered, due = case.state_changed_at, case.due_at
        assert case.escalate_at == deadlines.escalation_time(
            case.escalation_level, entered_at=entered, due=due
        )
        if case.escalation_level:  # the one sent last fell due before the cases were written
            sent = deadlines.escalation_time(case.escalation_level - 1, entered_at=entered, due=due)
            assert sent is not None and sent <= now
        year = reference_year(case.created_at)
        prefix = format_reference(regency_code=case.regency_id, year=year, number=0)[:-6]
        assert case.reference.startswith(prefix) and len(case.reference) == len(prefix) + 6
    latest = Case.objects.filter(regency_id="63.71").order_by("-created_at").first()
    assert latest is not None
    year = reference_year(timezone.now())
    last = int(latest.reference[-6:]) if reference_year(latest.created_at) == year else 0
    assert allocate_reference(regency_code="63.71") == format_reference(
        regency_code="63.71", year=year, number=last + 1
    )
