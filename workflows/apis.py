"""Case endpoints: list, intake, detail, edit, export, the workflow actions and the history.

Thin: parse, call a selector or a `workflows.services` function, serialize.
"""

from typing import cast

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import access, export, export_xlsx, idempotency, selectors
from casework import services as casework_services
from casework.access import request_user
from casework.filters import CaseFilter
from casework.models import AccessKind, Case
from casework.pagination import CasePagination
from casework.serializers import CaseInput, CaseOutput, CaseUpdateInput
from common.negotiation import FileFormatNegotiation
from common.pagination import StrictOrderingFilter
from common.serializers import StrictSerializer
from workflows import services
from workflows.selectors import case_history
from workflows.serializers import ACTION_INPUTS, HistoryOutput

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_(
        "Up to 255 characters. A retry with the same key returns the first response and creates "
        "nothing; the same key with a different body is a 422."
    ),
)


class MayReportCases(IsAuthenticated):
    """Refuse a role that cannot report before reading its body (403, not a 400 about fields)."""

    message = _("Only volunteers, officers and supervisors can report cases.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method != "POST" or access.may_report(request_user(request))


def render_case(request: Request, case: Case, kind: str = AccessKind.VIEW) -> dict:
    """The case as this user sees it; a full view of personal data goes to the access log."""
    casework_services.personal_data_reads_record(
        user=request_user(request), cases=[case], kind=kind
    )
    return CaseOutput(case, context={"request": request}).data


class CaseListCreateApi(GenericAPIView):
    """`GET` the cases you may see (filtered, cursor-paginated); `POST` files a new case."""

    permission_classes = [MayReportCases]
    pagination_class = CasePagination
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = CaseFilter
    # Only fields that never change: a cursor over a mutable field skips or repeats rows.
    ordering_fields = ["created_at", "reference"]
    serializer_class = CaseOutput
    input_serializer_class = CaseInput  # also names the fields of a 400 (common.error_summary)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Case.objects.none()
        return selectors.cases_visible_to(request_user(self.request))

    @extend_schema(responses=CaseOutput(many=True))
    def get(self, request: Request) -> Response:
        # A list, never None: this view has a pagination class.
        page = cast("list[Case]", self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        casework_services.personal_data_reads_record(
            user=request_user(request), cases=page, kind=AccessKind.LIST
        )
        return self.get_paginated_response(
            CaseOutput(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=CaseInput, responses={201: CaseOutput}, parameters=[IDEMPOTENCY_PARAMETER]
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            code, _case_id, body = self._create(request)
            return Response(body, status=code)
        code, body, replayed = idempotency.run_idempotent(
            user=request_user(request),
            key=idempotency.check_key(key),
            fingerprint=idempotency.request_fingerprint(
                method=str(request.method), path=request.path, body=request.data
            ),
            perform=lambda: self._create(request),
            replay=lambda case_id: self._render(request, case_id),
        )
        return Response(body, status=code, headers={"Idempotent-Replayed": str(replayed).lower()})

    def _create(self, request: Request) -> tuple[int, str, dict]:
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_report(reporter=request_user(request), data=serializer.to_case_data())
        body = CaseOutput(case, context={"request": request}).data
        return status.HTTP_201_CREATED, str(case.pk), body

    def _render(self, request: Request, case_id: str) -> dict:
        """A replay shows the case as it is now, and like any full view of it, logs it."""
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        return render_case(request, case)


class MayExportCases(IsAuthenticated):
    message = _("Only officers and supervisors can export cases.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return super().has_permission(request, view) and access.logs_full_reads(
            request_user(request)
        )


EXPORT_FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=list(export.FORMATS),
    default="csv",
    description=_(
        "`csv` (the default): the machine format, codes and ISO 8601 times. `xlsx`: an Excel "
        "workbook for people, with headers in the request's language, labels, date cells in "
        "WITA, NIK and phone as text. Anything else is a 400 naming `format`."
    ),
)


class CaseExportApi(GenericAPIView):
    """The cases you may see, with the list's filters, newest first, as CSV (UTF-8) or as an
    Excel workbook (`format=xlsx`).

    In constant memory whatever the size: the CSV is streamed row by row, the workbook built in a
    temporary file and then sent. CSV columns: reference, created_at, observed_at, state,
    state_changed_at, category (code), urgency, regency_code, regency, district (kecamatan),
    village (desa/kelurahan), assigned_to (username), due_at, overdue (yes/no), outcome,
    referred_to, subject_name, subject_sex, subject_birth_date, subject_age_estimate (years,
    when the birth date is not known), subject_nik, subject_phone;
    times ISO 8601 in WITA, to the second. The workbook has the same columns with headers in
    the request's language, labels for the codes, times as date cells in WITA, NIK and phone
    as text. Personal fields are masked as in the API. Each exported case whose personal data
    you see is written to the access log (kind `export`) before it is sent.
    """

    permission_classes = [MayExportCases]
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter
    # `format` is the file's (csv or xlsx), not a DRF renderer's.
    content_negotiation_class = FileFormatNegotiation

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return selectors.cases_visible_to(request_user(self.request))

    @extend_schema(
        filters=True,  # the list's filters, which schema generation shows only for lists
        parameters=[EXPORT_FORMAT_PARAMETER],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, export_xlsx.MEDIA_TYPE): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        kind = export.export_format(request.query_params.get("format"))
        cases = self.filter_queryset(self.get_queryset())
        user = request_user(request)

        def log(case_ids: list) -> None:
            casework_services.personal_data_export_record(user=user, case_ids=case_ids)

        name = f"kasus-ppks-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{kind}"
        if kind == "xlsx":
            response = FileResponse(
                export_xlsx.xlsx_file(user, cases, log=log),
                as_attachment=True,
                filename=name,
                content_type=export_xlsx.MEDIA_TYPE,
            )
            response.block_size = 64 * 1024
            return response
        return StreamingHttpResponse(
            export.csv_lines(user, cases, log=log),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )


@method_decorator(never_cache, name="dispatch")
class CaseDetailApi(APIView):
    input_serializer_class = CaseUpdateInput

    @extend_schema(responses=CaseOutput)
    def get(self, request: Request, case_id: str) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        return Response(render_case(request, case))

    @extend_schema(request=CaseUpdateInput, responses=CaseOutput)
    def patch(self, request: Request, case_id: str) -> Response:
        selectors.case_get_for_user(user=request_user(request), case_id=case_id)  # 404 before 400
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_edit(
            case_id=case_id, actor=request_user(request), changes=serializer.validated_data
        )
        return Response(render_case(request, case))


class CaseActionApi(APIView):
    """`POST /cases/{id}/<action>/`: one route per action of WORKFLOW.md (see `action_api`).

    404 out of reach, 400 bad body, 409 wrong state, 403 not yours, else 200 with the case.
    """

    action = ""

    @property
    def input_serializer_class(self) -> type[StrictSerializer]:
        return ACTION_INPUTS[self.action]

    def post(self, request: Request, case_id: str) -> Response:
        selectors.case_get_for_user(user=request_user(request), case_id=case_id)  # 404 before 400
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_transition(
            case_id=case_id,
            actor=request_user(request),
            action=self.action,
            data=serializer.validated_data,
        )
        # Not re-read through the user's scope: after a transfer the case is no longer theirs,
        # and the answer shows it as they may now see it (personal data masked).
        return Response(render_case(request, case))


def action_api(action: str) -> type[CaseActionApi]:
    """The view of one action, documented with its own body in the OpenAPI schema."""

    @extend_schema(
        request=ACTION_INPUTS[action], responses=CaseOutput, operation_id=f"cases_{action}"
    )
    def post(self: CaseActionApi, request: Request, case_id: str) -> Response:
        return CaseActionApi.post(self, request, case_id)

    name = f"Case{action.capitalize()}Api"
    return type(name, (CaseActionApi,), {"action": action, "post": post, "__doc__": name})


class CaseHistoryApi(APIView):
    """`GET` every step of a case, oldest first. The Dinas Sosial handling the case reads it in
    full; its reporter reads every state change but only the texts written for them, and the
    rows of the notes they read."""

    @extend_schema(responses=HistoryOutput(many=True))
    def get(self, request: Request, case_id: str) -> Response:
        user = request_user(request)
        case = selectors.case_get_for_user(user=user, case_id=case_id)
        return Response(HistoryOutput(case_history(case, reader=user), many=True).data)
