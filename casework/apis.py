"""HTTP endpoints of casework: parse, call a service or selector, serialize. Nothing more."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import selectors, services
from casework.access import request_user
from casework.filters import RegionFilter
from casework.pagination import RegionPagination
from casework.serializers import (
    CategoryOutput,
    MeInput,
    MeOutput,
    RegionOutput,
)


class MeApi(APIView):
    @extend_schema(responses=MeOutput)
    def get(self, request: Request) -> Response:
        return Response(MeOutput(request_user(request)).data)

    @extend_schema(request=MeInput, responses=MeOutput)
    def patch(self, request: Request) -> Response:
        body = MeInput(data=request.data)
        body.is_valid(raise_exception=True)
        user = request_user(request)
        if "on_duty" in body.validated_data:  # an empty PATCH changes nothing
            user = services.user_duty_set(user=user, on_duty=body.validated_data["on_duty"])
        return Response(MeOutput(user).data)


class RegionListApi(ListAPIView):
    serializer_class = RegionOutput
    pagination_class = RegionPagination
    filterset_class = RegionFilter

    def get_queryset(self):
        return selectors.region_list()


class CategoryListApi(APIView):
    @extend_schema(responses=CategoryOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(CategoryOutput(selectors.category_list(), many=True).data)
