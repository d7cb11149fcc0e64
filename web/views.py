"""The web app's pages: thin views over the services and selectors the API uses, so scoping,
masking and the access log are the API's by construction."""

from typing import cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from casework import selectors
from casework import services as casework_services
from casework.access import jurisdiction_root
from casework.models import AccessKind, Case, CaseState, RegionLevel, Role, Sex, Urgency, User
from casework.serializers import CaseOutput
from common.errors import NotFound
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from web import actions, dashboard, reporting
from web.presenters import (
    attachment_lines,
    case_map_view,
    case_rows,
    deadline_words,
    history_lines,
    inbox_lines,
)
from workflows import selectors as workflow_selectors
from workflows.models import HistoryEntry

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
    """`/`: a volunteer's own reports, those returned to them first; for officers and
    supervisors, the newest cases within their reach; for supervisors, their dashboard."""
    user = cast(User, request.user)  # login_required: never anonymous
    if user.role == Role.SUPERVISOR:
        return _dashboard(request, user)
    if user.role == Role.VOLUNTEER:
        cases = selectors.reports_home(user, limit=HOME_PAGE)
        return render(request, "web/home_reports.html", {"rows": case_rows(cases)})
    cases = list(selectors.cases_visible_to(user).order_by("-created_at")[:HOME_PAGE])
    return render(request, "web/home_cases.html", {"rows": case_rows(cases)})


@require_GET
@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """`/dasbor/`: the dashboard API's figures for the filters in the URL, as headline numbers,
    charts with their tables and a map; refused as the API refuses (403 for a volunteer; a bad
    filter, the form again with the message beside it)."""
    return _dashboard(request, cast(User, request.user))


def _dashboard(request: HttpRequest, user: User) -> HttpResponse:
    if jurisdiction_root(user) is None:  # as the API's MaySeeDashboard
        raise PermissionDenied
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
        form = actions.action_form(chosen, user, shown=_shown(request, case))
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
        messages.success(request, _("Saved: %(action)s.") % {"action": form.label})
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


def _render_case(
    request: HttpRequest, user: User, case: Case, form: actions.ActionForm | None, status: int = 200
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
        "history": history_lines(entries),
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
    }
    return render(request, "web/case.html", context, status=status)


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
