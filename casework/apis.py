"""HTTP endpoints of casework: parse, call a service or selector, serialize. Nothing more."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import access, findings, places, selectors, services
from casework.access import request_user
from casework.filters import OfficerFilter, RegionFilter
from casework.models import User
from casework.pagination import OfficerPagination, RegionPagination
from casework.place_serializers import LocateQuery, PlaceOutput
from casework.serializers import (
    CaseCheckInput,
    CaseCheckOutput,
    CategoryOutput,
    MeInput,
    MeOutput,
    OfficerOutput,
    RegionOutput,
)


class MeApi(APIView):
    input_serializer_class = MeInput  # also names the fields of a 400 (common.error_summary)

    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        return Response(MeOutput(request_user(request)).data)

    @extend_schema(request=MeInput, responses=MeOutput)
    def patch(self, request: Request) -> Response:
        body = self.input_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        user = request_user(request)
        if "on_duty" in body.validated_data:  # an empty PATCH changes nothing
            user = services.user_duty_set(user=user, on_duty=body.validated_data["on_duty"])
        return Response(MeOutput(user).data)


class CaseCheckApi(APIView):
    """`POST` some or all of a report's fields before sending it: a 400 with the intake's own
    messages for what is wrong, else the warnings it would carry (NIK against sex and birth
    date, the location). Nothing is filed; the report form calls it as the volunteer types."""

    input_serializer_class = CaseCheckInput

    @extend_schema(request=CaseCheckInput, responses=CaseCheckOutput)
    def post(self, request: Request) -> Response:
        body = self.input_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"warnings": findings.report_findings(body.validated_data)})


class RegionListApi(ListAPIView):
    serializer_class = RegionOutput
    pagination_class = RegionPagination
    filterset_class = RegionFilter

    def get_queryset(self):
        return selectors.region_list()


class RegionLocateApi(APIView):
    """The kabupaten/kota, kecamatan and desa/kelurahan whose boundary holds a GPS point (what
    the report form's "Gunakan lokasi saya" fills in). A point in water or just off the coast
    takes the desa within 300 m, not exact; one at sea or outside Kalimantan Selatan finds
    nothing. `message` says so in words."""

    input_serializer_class = LocateQuery

    @extend_schema(parameters=[LocateQuery], responses=PlaceOutput)
    def get(self, request: Request) -> Response:
        query = self.input_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        place = places.locate(query.validated_data["lat"], query.validated_data["lon"])
        return Response(PlaceOutput(place).data)


class CategoryListApi(APIView):
    @extend_schema(responses=CategoryOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(CategoryOutput(selectors.category_list(), many=True).data)


class WorksInAnOffice(IsAuthenticated):
    message = _("Only officers and supervisors can see the officers.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return super().has_permission(request, view) and (
            access.jurisdiction_root(request_user(request)) is not None
        )


class OfficerListApi(ListAPIView):
    """The active officers within your reach (officer: your kabupaten/kota; supervisor: your
    region), with their duty and how many open and overdue cases they hold: whom to assign."""

    permission_classes = [WorksInAnOffice]
    serializer_class = OfficerOutput
    pagination_class = OfficerPagination
    filterset_class = OfficerFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return selectors.officers_within_reach(request_user(self.request))
