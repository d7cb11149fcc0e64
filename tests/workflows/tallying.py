"""What the dashboard's tallies hold, for comparing the live ones with a rebuild."""

from collections import Counter
from datetime import UTC, date, datetime

from workflows.models import CaseTally, DayTally, DurationTally, WeekTally
from workflows.tally_sql import FOLDED_DAY, fold_before


def tally_rows() -> dict:
    """Every tally row that counts something (moves leave rows at zero behind), the day rows
    of long-past days as the fold keeps them (a rebuild folds; live changes do not)."""
    rows = {}
    folded_before = fold_before(datetime.now(UTC).date())
    folded: dict[tuple, Counter] = {}
    for model, key in (
        (CaseTally, ("area", "category_id", "urgency")),
        (DurationTally, ("regency_id", "step", "hours")),
        (DayTally, ("kind", "regency_id", "area", "assignee_id", "day")),
        (WeekTally, ("regency_id", "category_id", "urgency", "week")),
    ):
        for values in model.objects.values():
            counts = {k: v for k, v in values.items() if k not in (*key, "id") and v}
            at = (model.__name__, *(values[k] for k in key))
            if model is DayTally and values["day"] < folded_before:
                folded.setdefault((*at[:-1], date.fromisoformat(FOLDED_DAY)), Counter()).update(
                    counts
                )
            elif counts:
                rows[at] = counts
    rows.update({at: dict(counts) for at, counts in folded.items() if any(counts.values())})
    return rows
