"""What the workflow tells whom: outbox rows for a case event, with the template's words.

The context carries the category's names and the kecamatan's name (reference data, not personal
data); the notifications app renders them in each recipient's language.
"""

from collections.abc import Sequence
from typing import Any

from casework import reference_cache
from casework.models import Case, RegionLevel, User
from notifications.services import notify

DISTRICT_CODE_LENGTH = len("63.71.01")


def tell(
    case: Case,
    event: str,
    recipients: Sequence[User | None],
    *,
    actor: User | None = None,
    extra: dict[str, Any] | None = None,
) -> list[User]:
    """Queue `event` about `case` for everyone concerned except whoever caused it, in the
    caller's transaction; those it was queued for."""
    targets = [u for u in recipients if u is not None and (actor is None or u.pk != actor.pk)]
    if targets:
        notify(
            event=event,
            recipients=targets,
            case_id=case.pk,
            case_reference=case.reference,
            context={**case_context(case), **(extra or {})},
        )
    return targets


def case_context(case: Case) -> dict[str, Any]:
    """The words a notice about the case may use: its category's name in each language and its
    kecamatan. Never personal data."""
    category = reference_cache.categories.get(case.category_id)
    names = {
        "id": category.name if category else case.category_id,
        "en": category.name_en if category else case.category_id,
    }
    return {
        "category_names": names,
        # The previous release's keys ("category_id" held the Indonesian name), for its workers
        # still delivering during a rolling upgrade; drop them in the release after this one.
        "category_id": names["id"],
        "category_en": names["en"],
        "district": district_name(case.region_id),
    }


def district_name(region_code: str) -> str:
    """The kecamatan a region lies in, or the kabupaten/kota for a case filed at that level."""
    region = reference_cache.regions.get(region_code[:DISTRICT_CODE_LENGTH])
    if region is None or region.level not in (RegionLevel.DISTRICT, RegionLevel.REGENCY):
        return region_code
    return region.name
