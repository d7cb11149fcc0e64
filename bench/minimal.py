"""The floor for case intake: the rows `POST /api/v1/cases/` writes, and none of its checks.

Same process, middleware, database and connection settings as the API; what is left out is what
the comparison is about: authentication, validation, the region/category/NIK lookups, findings
and serialization. The writes are the same ones `services.case_create` makes in one transaction:
a Subject row, the reference counter upsert, a Case row. Benchmark use only; never routed in
production (it lives in `bench.urls`).
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

REPORTER = "relawan_bjm"


@cache
def _reporter_id() -> int:
    """Looked up once per worker: the minimal view authenticates nobody."""
    return User.objects.only("id").get(username=REPORTER).pk


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
        )
    return JsonResponse({"id": str(case.pk), "reference": case.reference}, status=201)
