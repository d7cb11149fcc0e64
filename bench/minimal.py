"""The floor for case intake: the rows `POST /api/v1/cases/` writes, and none of its checks.

Same process, middleware, database and connection settings as the API; what is left out is what
the comparison is about: authentication, validation, the region/category/NIK lookups, findings,
the SLA and duty-officer lookups, and serialization. The writes are the same ones
`workflows.services.case_report` makes in one transaction: a Subject row, the reference counter
upsert, a Case row, its `report` history row and the `case_reported` outbox rows (recipients
looked up once per worker and kind of case). Benchmark use only; never routed in production (it
lives in `bench.urls`).
"""

import json
from functools import cache

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from casework.models import Case, Subject, User
from casework.references import allocate_reference
from notifications.models import OutboxMessage
from workflows.models import HistoryEntry
from workflows.responsibility import duty_officers

REPORTER = "relawan_bjm"


@cache
def _reporter_id() -> int:
    """Looked up once per worker: the minimal view authenticates nobody."""
    return User.objects.only("id").get(username=REPORTER).pk


@cache
def _recipients(regency_code: str, category_code: str) -> tuple[int, ...]:
    """The duty officers of such a case, looked up once per worker (the API does it per case)."""
    officers = duty_officers(Case(regency_id=regency_code, category_id=category_code))
    return tuple(user.pk for user in officers if user.pk != _reporter_id())


@csrf_exempt
@require_POST
def minimal_case_create(request: HttpRequest) -> JsonResponse:
    """Parse the JSON body, insert the subject and the case, answer 201 with id and reference."""
    body = json.loads(request.body)
    person = body["subject"]
    region = body["region"]
    location = body.get("location") or {}
    now = timezone.now()
    with transaction.atomic():
        subject = Subject.objects.create(
            name=person["name"],
            nik=person.get("nik") or "",
            sex=person.get("sex") or "",
            birth_date=person.get("birth_date"),
            phone=person.get("phone") or "",
        )
        case = Case.objects.create(
            reference=allocate_reference(regency_code=region[:5], at=now),
            category_id=body["category"],
            urgency=body.get("urgency") or "normal",
            region_id=region,
            regency_id=region[:5],
            address=body.get("address") or "",
            latitude=location.get("lat"),
            longitude=location.get("lon"),
            description=body["description"],
            observed_at=body.get("observed_at") or now,
            subject=subject,
            reported_by_id=_reporter_id(),
            created_at=now,
            state_changed_at=now,
        )
        HistoryEntry.objects.create(
            case=case,
            action="report",
            from_state="",
            to_state=case.state,
            actor_id=_reporter_id(),
            at=now,
        )
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                event="case_reported",
                recipient_id=pk,
                case_id=case.pk,
                case_reference=case.reference,
            )
            for pk in _recipients(region[:5], body["category"])
        )
    return JsonResponse({"id": str(case.pk), "reference": case.reference}, status=201)
