"""The case page's report: the person and what was reported, as the API shows them to the reader.

The admin shows a case's bookkeeping to every staff member allowed to view cases; the report
only to those the API shows the case to (`casework.selectors.case_get_for_user`: the Dinas
Sosial of its region and its reporter; administrators see none), rendered by the API's own
`CaseOutput`, so masked exactly as there, and recorded in the access log as the API's detail
records it (`personal_data_reads_record`, a "view").
"""

from dataclasses import dataclass
from typing import cast

from django.db.models import Field
from django.http import HttpRequest
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from casework import selectors
from casework import services as casework_services
from casework.models import AccessKind, Case, Sex, Subject, User
from casework.serializers import CaseOutput
from common.errors import NotFound


@dataclass(frozen=True)
class Line:
    label: str
    value: str


def case_report(request: HttpRequest, case: Case) -> list[Line] | None:
    """The report's lines as the reader may see them, or None when the API would answer 404.

    Writes the access-log row of a full read: call it only for a page about to be shown.
    """
    user = cast(User, request.user)
    try:
        case = selectors.case_get_for_user(user=user, case_id=case.pk)
    except NotFound:
        return None
    casework_services.personal_data_reads_record(user=user, cases=[case], kind=AccessKind.VIEW)
    shown = CaseOutput(case, context={"request": request}).data
    subject = shown["subject"]
    location = shown["location"]
    return [
        Line(_label(Subject, "name"), subject["name"]),
        Line(_label(Subject, "nik"), subject["nik"]),
        Line(_label(Subject, "sex"), str(Sex(subject["sex"]).label) if subject["sex"] else ""),
        Line(_label(Subject, "birth_date"), subject["birth_date"] or ""),
        Line(_label(Subject, "phone"), subject["phone"]),
        Line(_label(Case, "address"), shown["address"]),
        Line(
            capfirst(_("location")),
            f"{location['lat']}, {location['lon']}" if location else "",
        ),
        Line(_label(Case, "description"), shown["description"]),
        Line(_label(Case, "warnings"), "\n".join(w["message"] for w in shown["warnings"])),
    ]


def _label(model: type[Subject] | type[Case], field: str) -> str:
    return capfirst(str(cast(Field, model._meta.get_field(field)).verbose_name))
