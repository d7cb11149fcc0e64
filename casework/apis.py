"""HTTP endpoints of casework: parse, call a service or selector, serialize. Nothing more."""

from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import access, idempotency, selectors, services
from casework.filters import CaseFilter, RegionFilter
from casework.models import AccessKind, Case
from casework.pagination import CasePagination, RegionPagination, StrictOrderingFilter
from casework.serializers import (
    CaseInput,
    CaseOutput,
    CaseUpdateInput,
    CategoryOutput,
    MeOutput,
    RegionOutput,
)

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
        return request.method != "POST" or access.may_report(request.user)


class MeApi(APIView):
    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        return Response(MeOutput(request.user).data)


class RegionListApi(ListAPIView):
    serializer_class = RegionOutput
    pagination_class = RegionPagination
    filterset_class = RegionFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.region_list()


class CategoryListApi(APIView):
    @extend_schema(responses=CategoryOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(CategoryOutput(selectors.category_list(), many=True).data)


class CaseListCreateApi(GenericAPIView):
    """`GET` the cases you may see (filtered, cursor-paginated); `POST` files a new case."""

    permission_classes = [MayReportCases]
    pagination_class = CasePagination
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = CaseFilter
    # Only fields that never change: a cursor over a mutable field skips or repeats rows.
    ordering_fields = ["created_at", "reference"]
    serializer_class = CaseOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Case.objects.none()
        return selectors.cases_visible_to(self.request.user)

    @extend_schema(responses=CaseOutput(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        services.personal_data_reads_record(user=request.user, cases=page, kind=AccessKind.LIST)
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
            user=request.user,
            key=idempotency.check_key(key),
            fingerprint=idempotency.request_fingerprint(
                method=request.method, path=request.path, body=request.data
            ),
            perform=lambda: self._create(request),
            replay=lambda case_id: self._render(request, case_id),
        )
        return Response(body, status=code, headers={"Idempotent-Replayed": str(replayed).lower()})

    def _create(self, request: Request) -> tuple[int, str, dict]:
        serializer = CaseInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_create(reporter=request.user, data=serializer.to_case_data())
        body = CaseOutput(case, context={"request": request}).data
        return status.HTTP_201_CREATED, str(case.pk), body

    def _render(self, request: Request, case_id: str) -> dict:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        return CaseOutput(case, context={"request": request}).data


@method_decorator(never_cache, name="dispatch")
class CaseDetailApi(APIView):
    @extend_schema(responses=CaseOutput)
    def get(self, request: Request, case_id: str) -> Response:
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        services.personal_data_reads_record(user=request.user, cases=[case], kind=AccessKind.VIEW)
        return Response(CaseOutput(case, context={"request": request}).data)

    @extend_schema(request=CaseUpdateInput, responses=CaseOutput)
    def patch(self, request: Request, case_id: str) -> Response:
        selectors.case_get_for_user(user=request.user, case_id=case_id)  # 404 before 400
        serializer = CaseUpdateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.case_update(case_id=case_id, actor=request.user, changes=serializer.validated_data)
        case = selectors.case_get_for_user(user=request.user, case_id=case_id)
        services.personal_data_reads_record(user=request.user, cases=[case], kind=AccessKind.VIEW)
        return Response(CaseOutput(case, context={"request": request}).data)
