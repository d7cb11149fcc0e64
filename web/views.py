"""The web app's pages: thin views over the services and selectors the API uses, so scoping,
masking and the access log are the API's by construction."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework import selectors
from casework import services as casework_services
from casework.access import jurisdiction_root, logs_full_reads, sees_internal_texts
from casework.models import (
    AccessKind,
    Case,
    CaseState,
    NoteVisibility,
    RegionLevel,
    Role,
    Sex,
    Urgency,
    User,
)
from casework.serializers import CaseOutput
from common.errors import DomainError, NotFound, PermissionDenied
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from web import actions, dashboard, queue, refusals, reporting
from web.presenters import (
    assignee_ids,
    assistance_lines,
    attachment_lines,
    case_map_view,
    case_rows,
    deadline_words,
    history_lines,
    inbox_lines,
    note_lines,
)
from workflows import records
from workflows import selectors as workflow_selectors
from workflows.models import HistoryEntry
from workflows.record_serializers import AttachmentInput, NoteInput

HOME_PAGE = 50  # the newest this many; the full lists (with filters) are pages of their own


class SignInView(auth_views.LoginView):
    """`/masuk/`: the form given by `config.urls` (the API's login limits)."""

    template_name = "web/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """`/keluar/`: a POST from the header's button (CSRF-protected), back to `/masuk/`."""

    next_page = "web:sign-in"


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """`/`: a volunteer's own reports, those returned to them first; an officer's work queue;
    a supervisor's dashboard."""
    user = cast(User, request.user)  # login_required: never anonymous
    if user.role == Role.SUPERVISOR:
        return _dashboard(request, user)
    if user.role == Role.VOLUNTEER:
        cases = selectors.reports_home(user, limit=HOME_PAGE)
        return render(request, "web/home_reports.html", {"rows": case_rows(cases)})
    if user.role == Role.OFFICER:
        return _work_queue(request, user)
    cases = list(selectors.cases_visible_to(user).order_by("-created_at")[:HOME_PAGE])
    return render(request, "web/home_cases.html", {"rows": case_rows(cases)})


def _work_queue(request: HttpRequest, user: User) -> HttpResponse:
    """An officer's home: the chosen section of their work queue, with the API's filters; a
    refused filter, the page again with what is wrong beside it (400)."""
    page = queue.queue_page(request, user)
    # The names shown are the API list's personal data: logged as its list logs them.
    casework_services.personal_data_reads_record(user=user, cases=page.cases, kind=AccessKind.LIST)
    context = {
        "page": page,
        "tabs": queue.section_links(request.GET),
        "values": {name: request.GET.get(name, "") for name in queue.FORM_FILTERS},
        "filtered": any(request.GET.get(name) for name in queue.FORM_FILTERS),
        "heading": _("Work queue"),
        "section_param": queue.SECTION_PARAM,
        "poll_seconds": settings.WORK_QUEUE_POLL_SECONDS,
        **queue.filter_choices(user),
    }
    return render(request, "web/home_queue.html", context, status=400 if page.errors else 200)


@require_GET
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """`/kasus/`: every case in the reader's reach with the API's filters as a form (the
    dashboard's figures open it), newest first, and, for those who may export, the export of
    exactly those cases."""
    user = cast(User, request.user)
    page = queue.queue_page(request, user, section=selectors.QUEUE_ALL)
    casework_services.personal_data_reads_record(user=user, cases=page.cases, kind=AccessKind.LIST)
    filters = request.GET.copy()
    filters.pop(queue.CURSOR_PARAM, None)
    exports = []
    if logs_full_reads(user):  # as the API's export allows
        for label, kind in (("XLSX", "xlsx"), ("CSV", "csv")):
            filters["format"] = kind
            exports.append((label, f"{reverse('case-export')}?{filters.urlencode()}"))
    context = {
        "page": page,
        "heading": _("Cases"),
        "tabs": [],
        "values": {name: request.GET.get(name, "") for name in queue.FORM_FILTERS},
        "filtered": any(request.GET.get(name) for name in queue.FORM_FILTERS),
        "exports": exports,
        **queue.filter_choices(user),
    }
    return render(request, "web/home_queue.html", context, status=400 if page.errors else 200)


@require_POST
@login_required
def duty_set(request: HttpRequest) -> HttpResponse:
    """The header's switch: an officer goes on or off duty, back to the page they were on."""
    user = cast(User, request.user)
    try:
        casework_services.user_duty_set(user=user, on_duty=request.POST.get("on_duty") == "true")
    except PermissionDenied as exc:  # not an officer
        raise Http404 from exc
    back = request.POST.get("next", "")
    same_site = back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(back if same_site else "web:home")


@require_GET
@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """`/dasbor/`: the dashboard API's figures for the filters in the URL, as headline numbers,
    charts with their tables and a map; refused as the API refuses (403 for a volunteer; a bad
    filter, the form again with the message beside it)."""
    return _dashboard(request, cast(User, request.user))


def _dashboard(request: HttpRequest, user: User) -> HttpResponse:
    if jurisdiction_root(user) is None:  # as the API's MaySeeDashboard
        raise Forbidden
    page = dashboard.read(user, request.GET)
    return render(request, "web/dashboard.html", page.context, status=page.status)


def _case_for(request: HttpRequest, case_id: str) -> tuple[User, Case]:
    user = cast(User, request.user)
    try:
        return user, selectors.case_get_for_user(user=user, case_id=case_id)
    except NotFound as exc:  # out of reach or not there: the same 404, as in the API
        raise Http404 from exc


@require_GET
@login_required
def case_page(request: HttpRequest, case_id: str) -> HttpResponse:
    """`/kasus/<uuid>/`: what the reader may see of the case (masked and logged as the API's
    detail), its photos and documents, its history in sentences, a button for each action open
    to them and, with `?aksi=<action>`, that action's form."""
    user, case = _case_for(request, case_id)
    chosen = request.GET.get("aksi", "")
    form = None
    if chosen in case.available_actions(user):
        form = actions.action_form(chosen, user, shown=_shown(request, case), case=case)
    return _render_case(request, user, case, form)


@require_POST
@login_required
def case_action(request: HttpRequest, case_id: str, action: str) -> HttpResponse:
    """The action's form, sent: done, back to the case page; refused, the form again (400)."""
    user, case = _case_for(request, case_id)
    if action not in actions.ACTION_LABELS:
        raise Http404
    done, form = actions.perform(case, user, action, request.POST, _shown(request, case))
    if done is not None:
        if form.told_reporter:
            said = _("Saved: %(action)s. The reporter is told.")
        else:
            said = _("Saved: %(action)s.")
        messages.success(request, said % {"action": form.label})
        if not selectors.cases_visible_to(user).filter(pk=case.pk).exists():
            # Moved out of their reach (a transfer): the case page would be a 404 now.
            messages.info(
                request,
                _("%(reference)s is now handled by the Dinas Sosial of %(regency)s.")
                % {"reference": done.reference, "regency": done.regency.name},
            )
            return redirect("web:home")
        return redirect("web:case", case_id=case.pk)
    return _render_case(request, user, case, form, status=400)


def _shown(request: HttpRequest, case: Case) -> dict:
    """The case as the reader's own API call renders it (masked as it masks)."""
    return dict(CaseOutput(case, context={"request": request}).data)


def _returned_for(case: Case, entries: list[HistoryEntry]) -> str:
    """A returned case's reason, as the reader may read it: what the reporter is asked for."""
    if case.state != CaseState.RETURNED:
        return ""
    returns = [entry for entry in entries if entry.action == "return"]
    return returns[-1].reason if returns else ""


@dataclass
class Refused:
    """A note or an upload the page refused: its message, each reason beside its field, and
    what was typed, to fix and send again."""

    what: str  # "note" or "upload"
    message: str
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def _render_case(
    request: HttpRequest,
    user: User,
    case: Case,
    form: actions.ActionForm | None,
    status: int = 200,
    refused: Refused | None = None,
) -> HttpResponse:
    casework_services.personal_data_reads_record(user=user, cases=[case], kind=AccessKind.VIEW)
    shown = CaseOutput(case, context={"request": request}).data
    entries = workflow_selectors.case_history(case, reader=user)
    # The API's list of the case's attachments: whoever sees the case sees them.
    photos, documents = attachment_lines(list(workflow_selectors.case_attachments(case)))
    context = {
        "case": shown,
        "row": case_rows([case])[0],
        "deadline": deadline_words(case),
        "urgency": Urgency(case.urgency).label,
        "sex": Sex(shown["subject"]["sex"]).label if shown["subject"]["sex"] else "",
        "history": history_lines(entries, names=selectors.names_of(assignee_ids(entries))),
        "returned_for": _returned_for(case, entries),
        "photos": photos,
        "documents": documents,
        "map": case_map_view(case),
        "buttons": [
            (name, actions.ACTION_LABELS[name])
            for name in shown["available_transitions"]
            if name in actions.ACTION_LABELS
        ],
        "form": form,
        # What the API's notes and assistance lists give this reader.
        "notes": note_lines(list(workflow_selectors.case_notes(case, reader=user))),
        "assistance": assistance_lines(list(workflow_selectors.case_assistance(case))),
        "open": case.state != CaseState.CLOSED,
        "chooses_visibility": sees_internal_texts(user, case),
        "visibilities": NoteVisibility.choices,
        "refused": refused,
    }
    return render(request, "web/case.html", context, status=status)


@require_POST
@login_required
def case_note(request: HttpRequest, case_id: str) -> HttpResponse:
    """A note from the case page: the API's body, rules and service (`records.note_add`)."""
    user, case = _case_for(request, case_id)
    body = {"text": request.POST.get("text", "")}
    if request.POST.get("visibility"):
        body["visibility"] = request.POST["visibility"]

    def save(data: dict) -> None:
        records.note_add(
            case_id=case.pk, author=user, text=data["text"], visibility=data.get("visibility")
        )

    return _add_record(request, user, case, "note", NoteInput, body, save, _("The note is saved."))


@require_POST
@login_required
def case_upload(request: HttpRequest, case_id: str) -> HttpResponse:
    """A photo or a PDF from the case page: the API's checks and service
    (`records.attachment_add`, the file checked by its content)."""
    user, case = _case_for(request, case_id)
    body: dict = {"file": request.FILES.get("file")}
    if request.POST.get("name"):
        body["name"] = request.POST["name"]

    def save(data: dict) -> None:
        records.attachment_add(
            case_id=case.pk, uploader=user, upload=data["file"], name=data.get("name")
        )

    return _add_record(
        request, user, case, "upload", AttachmentInput, body, save, _("The file is added.")
    )


def _add_record(
    request: HttpRequest,
    user: User,
    case: Case,
    what: str,
    serializer_class: type[NoteInput] | type[AttachmentInput],
    body: dict,
    save: Callable[[dict], None],
    done: str,
) -> HttpResponse:
    """A record added from the case page as the API adds it: its body serializer, then its
    service; done, back to the case; refused, the page again with the reasons beside the fields."""
    serializer = serializer_class(data=body)
    try:
        if serializer.is_valid():
            save(serializer.validated_data)
            messages.success(request, done)
            return redirect("web:case", case_id=case.pk)
        refusal, status = refusals.of_serializer(serializer), 400
    except DomainError as exc:
        refusal, status = refusals.of_domain_error(exc, serializer_class), exc.status_code
    typed = {name: value for name, value in body.items() if isinstance(value, str)}
    refused = Refused(what, refusal.message, refusal.by_input, typed)
    return _render_case(request, user, case, None, status=status, refused=refused)


INBOX_PAGE = 100


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """`/notifikasi/`: what the reader was told, the unread first; each opens its case."""
    user = cast(User, request.user)
    items = notification_selectors.inbox_page(user, limit=INBOX_PAGE)
    return render(request, "web/inbox.html", {"items": inbox_lines(items)})


@require_POST
@login_required
def inbox_read(request: HttpRequest, item_id: str) -> HttpResponse:
    try:
        notification_services.inbox_mark_read(user=cast(User, request.user), item_id=item_id)
    except NotFound as exc:  # not theirs, or not there
        raise Http404 from exc
    return redirect("web:inbox")


@require_POST
@login_required
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    notification_services.inbox_mark_all_read(user=cast(User, request.user))
    return redirect("web:inbox")


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """`/lapor/`: a new report with its photos; sent twice (a double tap, a retry), filed once."""
    user = cast(User, request.user)
    if request.method == "POST":
        case, form = reporting.submit(
            user, request.POST, request.FILES.getlist("photos"), request.path
        )
        if case is not None:
            messages.success(
                request, _("Report sent: %(reference)s.") % {"reference": case.reference}
            )
            return redirect("web:case", case_id=case.pk)
        status = 400
    else:
        form, status = reporting.ReportForm(), 200
    values = form.values
    context = {
        "form": form,
        **reporting.choices(values.get("category", "")),
        "districts": reporting.regions_below(values.get("regency", ""), RegionLevel.DISTRICT),
        "villages": reporting.regions_below(values.get("district", ""), RegionLevel.VILLAGE),
    }
    return render(request, "web/report.html", context, status=status)
