"""What the dashboard's tallies hold, for comparing the live ones with a rebuild."""

from workflows.models import CaseTally, DayTally, DurationTally, WeekTally


def tally_rows() -> dict:
    """Every tally row that counts something (moves leave rows at zero behind)."""
    rows = {}
    for model, key in (
        (CaseTally, ("area", "category_id", "urgency")),
        (DurationTally, ("regency_id", "step", "hours")),
        (DayTally, ("kind", "regency_id", "assignee_id", "day")),
        (WeekTally, ("regency_id", "category_id", "urgency", "week")),
    ):
        for values in model.objects.values():
            counts = {k: v for k, v in values.items() if k not in (*key, "id") and v}
            if counts:
                rows[(model.__name__, *(values[k] for k in key))] = counts
    return rows
