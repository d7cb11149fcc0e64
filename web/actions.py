"""A workflow action from a page's form: the same body serializer as the API
(`workflows.serializers.ACTION_INPUTS`) and the same service (`case_transition`), so a page can
do exactly what the API lets the reader do, under the same rules and with the same messages."""

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from rest_framework import serializers

from casework import selectors as casework_selectors
from casework.models import Case, Division, RegionLevel, User
from common.errors import DomainError
from common.serializers import StrictBooleanField
from web import refusals, reporting
from workflows import services
from workflows.serializers import ACTION_INPUTS

# The buttons' names (fixed: the browser tests and the people who use them know them by these).
ACTION_LABELS = {
    "verify": pgettext_lazy("action button", "Verify"),
    "return": pgettext_lazy("action button", "Return"),
    "reject": pgettext_lazy("action button", "Reject"),
    "resubmit": pgettext_lazy("action button", "Send again"),
    "assist": pgettext_lazy("action button", "Record assistance"),
    "close": pgettext_lazy("action button", "Close the case"),
    "reopen": pgettext_lazy("action button", "Reopen"),
    "assign": pgettext_lazy("action button", "Assign"),
    "transfer": pgettext_lazy("action button", "Move"),
}
# Free text written at length gets a text area; a short one (a name, a code) a line.
SHORT_TEXT = {"provider", "referred_to", "duplicate_of"}
# A transfer's `region` is chosen with three pickers narrowing each other (web/transfer.js), the
# most precise one chosen sent as the code; its refusals are shown beside the kabupaten/kota.
PICKERS = (
    ("regency", RegionLevel.REGENCY, _lazy("Regency/city")),
    ("district", RegionLevel.DISTRICT, _lazy("District (kecamatan)")),
    ("village", RegionLevel.VILLAGE, _lazy("Village (desa/kelurahan)")),
)
PROVINCE = "63"
# The other case is named on the page by its reference, as the officer knows it.
REFERENCE_HELP = _lazy("The case number, e.g. 6371-2026-000123")
# What a page's form does not offer as such: the API's resubmission `changes` are the fields
# below, each shown with what the case now says.
NOT_ON_THE_FORM = {"changes", "auto_assign"}
# The officer picker's choice that asks for the API's `auto_assign` instead of a name.
AUTOMATIC = "auto"
# Emptied, these mean "not known" (null), as the API writes them.
BLANK_IS_UNKNOWN = {"birth_date", "age_estimate"}
# Where a refusal of a field of the API's body is shown on the page.
SHOWN_AT = {"region": "regency", "auto_assign": "assignee"}
# What a returned report may be corrected in when it is sent again: the report form's inputs,
# each the path of its field in the API's `changes` (as in PATCH /cases/{id}/).
CORRECTIONS = (
    ("description", ("description",), _lazy("Description"), "textarea"),
    ("address", ("address",), _lazy("Address"), "text"),
    ("name", ("subject", "name"), _lazy("Name"), "text"),
    ("nik", ("subject", "nik"), _lazy("NIK"), "text"),
    ("birth_date", ("subject", "birth_date"), _lazy("Birth date"), "date"),
    ("age_estimate", ("subject", "age_estimate"), _lazy("Estimated age (years)"), "number"),
    ("phone", ("subject", "phone"), _lazy("Phone number"), "text"),
)


@dataclass
class Input:
    name: str
    label: str
    kind: str  # "textarea", "text", "select", "checkbox", "date", "number"
    required: bool
    help: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    value: str = ""
    error: str = ""
    correction: tuple[str, ...] = ()  # its path in `changes`, for a resubmission's fields
    below: str = ""  # a region picker: the input it narrows


@dataclass
class ActionForm:
    action: str
    label: str
    inputs: list[Input]
    message: str = ""  # the summary of what to fix, or the service's refusal
    regions: bool = False  # has region pickers (web/transfer.js narrows them)
    told_reporter: bool = False  # done, and the reporter was sent a notice of it


def action_form(
    action: str,
    user: User,
    data: QueryDict | None = None,
    shown: dict | None = None,
    case: Case | None = None,
) -> ActionForm:
    """The action's form; `shown` (the case as the reader's API call renders it) fills a
    resubmission's corrections with what the case now says; `case` leaves its own kabupaten/kota
    out of a transfer's choices."""
    inputs = []
    for name, body_field in ACTION_INPUTS[action]().fields.items():
        if name in NOT_ON_THE_FORM:
            continue
        if name == "region":
            inputs.extend(_region_pickers(data, case))
            continue
        inputs.append(
            Input(
                name=name,
                label=str(body_field.label),
                kind=_kind(name, body_field),
                required=body_field.required,
                help=str(REFERENCE_HELP if name == "duplicate_of" else body_field.help_text or ""),
                choices=_choices(name, body_field, user),
                value=(data.get(name, "") if data is not None else ""),
            )
        )
    if action == "resubmit" and shown is not None:
        inputs.extend(_corrections(shown, data))
    regions = any(item.below for item in inputs)
    return ActionForm(action, str(ACTION_LABELS[action]), inputs, regions=regions)


def _region_pickers(data: QueryDict | None, case: Case | None) -> list[Input]:
    """Kabupaten/kota of the province but the case's own (a transfer goes elsewhere), then the
    kecamatan and desa/kelurahan of what is chosen, as the report form lists them."""
    chosen = {name: (data.get(name, "") if data is not None else "") for name, _l, _t in PICKERS}
    own = case.regency_id if case is not None else None
    lists = [
        [(code, words) for code, words in reporting.regions_below(PROVINCE, PICKERS[0][1])
         if code != own],
        reporting.regions_below(chosen["regency"], PICKERS[1][1]),
        reporting.regions_below(chosen["district"], PICKERS[2][1]),
    ]  # fmt: skip
    return [
        Input(
            name=name,
            label=str(label),
            kind="select",
            required=index == 0,
            choices=lists[index],
            value=chosen[name],
            below=PICKERS[index + 1][0] if index + 1 < len(PICKERS) else "",
        )
        for index, (name, _level, label) in enumerate(PICKERS)
    ]


def _region(data: QueryDict) -> str:
    """The most precise region chosen that lies in what is chosen above it."""
    code = data.get("regency", "")
    for name in ("district", "village"):
        below = data.get(name, "")
        if not (code and below.startswith(code + ".")):
            break
        code = below
    return code


def _corrections(shown: dict, data: QueryDict | None) -> list[Input]:
    inputs = []
    for index, (name, path, label, kind) in enumerate(CORRECTIONS):
        current = _current(shown, path)
        inputs.append(
            Input(
                name=name,
                label=str(label),
                kind=kind,
                required=False,
                help=str(_lazy("Change what the officer asked for; the rest stays as it is."))
                if index == 0
                else "",
                value=data.get(name, "") if data is not None else current,
                correction=path,
            )
        )
    return inputs


def _current(shown: dict, path: tuple[str, ...]) -> str:
    value: Any = shown
    for part in path:
        value = (value or {}).get(part)
    return "" if value is None else str(value)


def perform(
    case: Case, user: User, action: str, data: QueryDict, shown: dict | None = None
) -> tuple[Case | None, ActionForm]:
    """Do the action from the form's data: the case as it now is, or None and the form again
    with each refusal beside its field."""
    form = action_form(action, user, data, shown, case)
    body = _body(form, data, shown or {})
    if "duplicate_of" in body:
        original = casework_selectors.case_id_of_reference(user, body["duplicate_of"])
        if original is None:
            unknown = str(_lazy("No case you can see has this number."))
            return None, _refused(form, refusals.Refusal(unknown, {"duplicate_of": unknown}))
        body["duplicate_of"] = original
    serializer = ACTION_INPUTS[action](data=body)
    if not serializer.is_valid():
        return None, _refused(form, refusals.of_serializer(serializer, shown_at=SHOWN_AT))
    try:
        done = services.case_transition(
            case_id=case.pk, actor=user, action=action, data=serializer.validated_data
        )
    except DomainError as exc:
        refusal = refusals.of_domain_error(exc, ACTION_INPUTS[action], shown_at=SHOWN_AT)
        return None, _refused(form, refusal)
    form.told_reporter = done.reported_by_id in done.told_user_ids  # the step's own notices
    return done, form


def _kind(name: str, body_field: serializers.Field) -> str:
    if isinstance(body_field, StrictBooleanField):
        return "checkbox"
    if isinstance(body_field, serializers.ChoiceField) or name == "assignee":
        return "select"
    if isinstance(body_field, serializers.DateField):
        return "date"
    return "text" if name in SHORT_TEXT else "textarea"


def _choices(name: str, body_field: serializers.Field, user: User) -> list[tuple[str, str]]:
    if name == "assignee":
        officers = casework_selectors.officers_within_reach(user).order_by("full_name", "pk")
        automatic = _lazy("Automatically: the officer on duty with the fewest open cases")
        return [(AUTOMATIC, str(automatic)), *((str(o.pk), officer_words(o)) for o in officers)]
    if isinstance(body_field, serializers.ChoiceField):
        return [(str(value), str(label)) for value, label in body_field.choices.items()]
    return []


def officer_words(officer: User) -> str:
    """ "Budi Santoso — Rehabilitasi Sosial · bertugas · 3 kasus terbuka, 1 terlambat": whom to
    choose, by name, with what they already carry (the API's officer list, in words)."""
    duty = _lazy("on duty") if officer.on_duty else _lazy("off duty")
    load = _lazy("%(open)s open cases, %(overdue)s overdue") % {
        "open": getattr(officer, "open_cases", 0),
        "overdue": getattr(officer, "overdue_cases", 0),
    }
    parts = [str(Division(officer.division).label)] if officer.division else []
    return f"{officer.full_name or officer.username} — " + " · ".join([*parts, str(duty), load])


def _body(form: ActionForm, data: QueryDict, shown: dict) -> dict[str, Any]:
    """The form's strings as the API's JSON body: a checkbox a boolean, an officer an id, an
    optional field left empty absent, and a correction only where it differs from the case."""
    body: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    for item in form.inputs:
        raw = data.get(item.name, "")
        if item.correction:
            # Not sent at all (an older page, a script): not touched, so not changed.
            # A browser sends a text area's line breaks as CRLF: the same text is no change.
            given = raw.replace("\r\n", "\n").strip()
            if item.name in data and given != _current(shown, item.correction).strip():
                *parents, last = item.correction
                target = changes
                for part in parents:
                    target = target.setdefault(part, {})
                target[last] = None if (given == "" and last in BLANK_IS_UNKNOWN) else given
            continue
        if item.kind == "checkbox":
            if raw:
                body[item.name] = True
        elif raw == "" and not item.required:
            continue
        elif item.name == "assignee" and raw == AUTOMATIC:
            body["auto_assign"] = True
        elif item.name == "assignee":
            body[item.name] = int(raw) if raw.isdigit() else raw
        elif item.name in ("district", "village"):
            continue
        elif item.name == "regency":
            body["region"] = _region(data)
        else:
            body[item.name] = raw
    if changes:
        body["changes"] = changes
    return body


def _refused(form: ActionForm, refusal: refusals.Refusal) -> ActionForm:
    form.message = refusal.message
    for item in form.inputs:
        item.error = refusal.by_input.get(item.name, "")
    return form
