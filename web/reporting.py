"""The report form `/lapor/`: the API's intake (`CaseInput`: the same rules and messages) under
the page's names, filed once however often it is sent (the API's idempotency, keyed by a token
the form carries), with its photos, all or nothing (`workflows.records.report_with_photos`)."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casework import idempotency, reference_cache
from casework.models import Case, RegionLevel, Sex, Urgency, User
from casework.serializers import CaseInput
from common.errors import DomainError
from web import refusals
from workflows import records
from workflows import selectors as workflow_selectors

PERSON = ("name", "sex", "birth_date", "age_estimate", "nik", "phone")
# Where an error on a field of the API's body is shown on the page.
SHOWN_AT = {"region": "village", "location": "village"}


@dataclass
class ReportForm:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or str(uuid.uuid4())


def choices(category: str = "") -> dict[str, Any]:
    """The form's lists: categories in words with who belongs in each (and what the chosen
    `category` means, the hint under the list), urgencies with what they mean, kabupaten/kota."""
    english = (get_language() or "id").startswith("en")
    categories = [
        (c.code, c.name_en, c.description_en) if english else (c.code, c.name, c.description)
        for c in sorted(reference_cache.categories.all(), key=lambda c: c.sort_order)
        if c.is_active
    ]
    periods = workflow_selectors.verify_periods()
    return {
        "categories": categories,
        "category_help": next(
            (words for code, _name, words in categories if code == category),
            _("Choose a category to see who belongs in it."),
        ),
        "urgencies": [
            (
                value,
                _("%(urgency)s: verified within %(period)s")
                % {"urgency": label, "period": _period_words(periods[value])}
                if value in periods
                else str(label),
            )
            for value, label in Urgency.choices
        ],
        "sexes": [(value, str(label)) for value, label in Sex.choices],
        "regencies": _regions(RegionLevel.REGENCY, "63"),
    }


def regions_below(code: str, level: str) -> list[tuple[str, str]]:
    return _regions(level, code) if code else []


def submit(
    user: User, data: QueryDict, photos: list[UploadedFile], path: str
) -> tuple[Case | None, ReportForm]:
    form = ReportForm(values={k: data.get(k, "") for k in data}, key=data.get("key", ""))
    body = _body(form.values)
    serializer = CaseInput(data=body)
    if not serializer.is_valid():
        return None, _refused(form, refusals.of_serializer(serializer, shown_at=SHOWN_AT))
    digest = [f"{p.name}:{p.size}" for p in photos]
    try:
        _status, answer, _replayed = idempotency.run_idempotent(
            user=user,
            key=idempotency.check_key(form.key),
            fingerprint=idempotency.request_fingerprint(
                method="POST", path=path, body={**body, "photos": digest}
            ),
            perform=lambda: _file(user, serializer, photos),
            replay=lambda case_id: {"id": case_id},
        )
    except DomainError as exc:
        return None, _refused(form, refusals.of_domain_error(exc, CaseInput, shown_at=SHOWN_AT))
    return Case.objects.get(pk=answer["id"]), form


def _file(user: User, serializer: CaseInput, photos: list[UploadedFile]) -> tuple[int, str, dict]:
    case = records.report_with_photos(reporter=user, data=serializer.to_case_data(), photos=photos)
    return 201, str(case.pk), {"id": str(case.pk)}


def _body(values: dict[str, str]) -> dict[str, Any]:
    region = values.get("village") or values.get("district") or values.get("regency") or ""
    body: dict[str, Any] = {
        "category": values.get("category", ""),
        "urgency": values.get("urgency") or Urgency.NORMAL,
        "region": region,
        "description": values.get("description", ""),
        "subject": {name: values[name] for name in PERSON if values.get(name)},
    }
    if values.get("address"):
        body["address"] = values["address"]
    if values.get("lat") and values.get("lon"):  # from "Gunakan lokasi saya"
        body["location"] = {"lat": values["lat"], "lon": values["lon"]}
    body["subject"].setdefault("name", "")
    return body


def _refused(form: ReportForm, refusal: refusals.Refusal) -> ReportForm:
    form.message, form.errors = refusal.message, refusal.by_input
    return form


def _regions(level: str, parent: str) -> list[tuple[str, str]]:
    regions = [
        r for r in reference_cache.regions.all() if r.level == level and r.parent_id == parent
    ]
    return [(r.code, r.name) for r in sorted(regions, key=lambda r: r.name)]


def _period_words(period: timedelta) -> str:
    """ "45 menit", "1 hari": a period in words, from a fixed start (so nothing drifts)."""
    start = datetime(2000, 1, 1, tzinfo=UTC)
    return timesince(start, start + period, depth=2)
