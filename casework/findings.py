"""Non-blocking findings kept on a case (`warnings`): what an officer should double-check."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from casework.geo import location_findings
from casework.nik import nik_findings, parse_nik
from casework.selectors import existing_region_codes
from common.errors import FieldError


def case_findings(
    *,
    nik: str,
    sex: str,
    birth_date: date | None,
    location: tuple[float, float] | None,
) -> list[dict]:
    """The findings as JSON-ready dicts ({field, code, message}).

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
    if location is not None:
        findings.extend(location_findings(*location))
    with translation.override("en"):
        return [{"field": f.field, "code": f.code, "message": str(f.message)} for f in findings]


def render_findings(stored: list[dict]) -> list[dict]:
    return [{**finding, "message": gettext(finding["message"])} for finding in stored]


def report_findings(data: Mapping[str, Any]) -> list[dict]:
    """The findings of a report not yet sent, from whichever of its fields are there (validated
    by `CaseCheckInput`), in the reader's language."""
    subject = data.get("subject") or {}
    return render_findings(
        case_findings(
            nik=subject.get("nik") or "",
            sex=subject.get("sex") or "",
            birth_date=subject.get("birth_date"),
            location=data.get("location"),
        )
    )
