"""Non-blocking findings kept on a case (`warnings`): what an officer should double-check."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casework import places
from casework.geo import location_findings
from casework.nik import nik_findings, parse_nik
from casework.selectors import existing_region_codes
from common.errors import FieldError

# Boundaries are simplified by their source: a point this close to the chosen desa is taken to
# be in it.
VILLAGE_TOLERANCE_METRES = 200.0


def case_findings(
    *,
    nik: str,
    sex: str,
    birth_date: date | None,
    location: tuple[float, float] | None,
    region_code: str | None = None,
) -> list[dict]:
    """The findings as JSON-ready dicts ({field, code, message}, and `params` when the message
    has placeholders).

    Messages are stored as their English source text and translated when shown (see
    `render_findings`), so an officer reads them in their own language whoever filed the case.
    `nik` must already have passed `parse_nik` (hard errors are the serializer's job).
    """
    findings: list[FieldError] = []
    if nik:
        parsed = parse_nik(nik)
        known = existing_region_codes(
            [parsed.province_code, parsed.regency_code, parsed.district_code]
        )
        for finding in nik_findings(
            parsed, sex=sex or None, birth_date=birth_date, known_region_codes=known
        ):
            findings.append(FieldError(finding.field, finding.code, finding.message))
    outside_province = location_findings(*location) if location is not None else []
    findings.extend(outside_province)
    with translation.override("en"):
        stored = [{"field": f.field, "code": f.code, "message": str(f.message)} for f in findings]
        # Outside the province, that warning says it all: every desa is far away.
        if location is not None and region_code and not outside_province:
            stored.extend(_village_findings(region_code, location))
    return stored


def _village_findings(region_code: str, location: tuple[float, float]) -> list[dict]:
    """The location lies outside the chosen desa/kelurahan's boundary (beyond the tolerance).
    Says where it was found instead: region names only, never anything of the person."""
    if places.level_of(region_code) != "village":
        return []
    distance = places.distance_to_region(region_code, *location)
    if distance is None or distance <= VILLAGE_TOLERANCE_METRES:
        return []  # no boundary to hold it to (8 desa), or inside it
    found = places.locate(*location)
    if found.village is not None and found.village.code == region_code:
        return []  # in no desa at all, and the chosen one is the nearest
    finding = {"field": "location", "code": "location_outside_village"}
    if found.district is None:
        return [{**finding, "message": str(_("The GPS location is outside the chosen village."))}]
    detected = f"Kecamatan {found.district.name}"
    if found.village is not None:
        detected = f"{places.village_title(found.village)}, {detected}"
    message = _("The GPS location is outside the chosen village (detected: %(detected)s).")
    return [{**finding, "message": str(message), "params": {"detected": detected}}]


def render_findings(stored: list[dict]) -> list[dict]:
    """The findings in the active language, as the API shows them ({field, code, message})."""
    return [_rendered(finding) for finding in stored]


def _rendered(finding: dict) -> dict:
    message = gettext(finding["message"])
    params = finding.get("params")
    return {
        "field": finding["field"],
        "code": finding["code"],
        "message": message % params if params else message,
    }


def report_findings(data: Mapping[str, Any]) -> list[dict]:
    """The findings of a report not yet sent, from whichever of its fields are there (validated
    by `CaseCheckInput`), in the reader's language."""
    subject = data.get("subject") or {}
    region = data.get("region")
    return render_findings(
        case_findings(
            nik=subject.get("nik") or "",
            sex=subject.get("sex") or "",
            birth_date=subject.get("birth_date"),
            location=data.get("location"),
            region_code=region.code if region is not None else None,
        )
    )
