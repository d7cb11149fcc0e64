"""Test data made the way the product makes it: cases through `case_create`, not raw rows."""

from datetime import date
from typing import Any

from casework.models import Case, Category, Region, User
from casework.services import CaseData, SubjectData
from workflows.services import case_report

PASSWORD = "test-password-123"


def make_user(username: str, *, role: str, region: str | None, **extra: Any) -> User:
    user = User(username=username, full_name=username.title(), role=role, region_id=region, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_case(
    reporter: User,
    *,
    region: str = "63.71.04.1003",
    category: str = "LUT",
    urgency: str = "normal",
    name: str = "Nenek Aminah",
    nik: str = "6371045505480001",
    sex: str = "F",
    birth_date: date | None = date(1948, 5, 15),
    phone: str = "+6281234567890",
    description: str = "Lansia tinggal sendiri, tidak ada yang merawat.",
    location: tuple[float, float] | None = (-3.286, 114.5689),
) -> Case:
    """File a case the way the product does (`workflows.services.case_report`): the `report`
    history row, the verification deadline and the outbox rows come with it."""
    return case_report(
        reporter=reporter,
        data=CaseData(
            category=Category.objects.get(code=category),
            region=Region.objects.get(code=region),
            description=description,
            urgency=urgency,
            location=location,
            subject=SubjectData(name=name, nik=nik, sex=sex, birth_date=birth_date, phone=phone),
        ),
    )


def case_payload(**overrides: Any) -> dict[str, Any]:
    """A valid create body as a field app sends it; override any top-level key."""
    body: dict[str, Any] = {
        "category": "LUT",
        "urgency": "high",
        "region": "63.71.04.1003",
        "address": "Jl. Sungai Andai No. 12, RT 05",
        "location": {"lat": -3.286, "lon": 114.5689},
        "description": "Lansia tinggal sendiri, tidak ada yang merawat, kekurangan makanan.",
        "observed_at": "2026-11-20T09:30:00+08:00",
        "subject": {
            "name": "Nenek Aminah",
            "nik": "6371045505480001",
            "sex": "F",
            "birth_date": "1948-05-15",
            "phone": "0812-3456-7890",
        },
    }
    body.update(overrides)
    return body
