"""The supervisors' endpoint: the dashboard. Thin: parse the query, scope it, read, serialize."""

from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import access
from supervision import dashboard
from supervision.scope import scope_for
from supervision.serializers import DashboardOutput, DashboardQuery


class MaySeeDashboard(IsAuthenticated):
    message = _("Only officers and supervisors can see the dashboard.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return (
            super().has_permission(request, view)
            and access.jurisdiction_root(access.request_user(request)) is not None
        )


@method_decorator(never_cache, name="dispatch")
class DashboardApi(APIView):
    """Where cases are stuck and how fast they move, for your region (officer: your
    kabupaten/kota; supervisor: your region) or a region within it. Each figure's definition is
    on its field below. A region outside yours is a 403 (`region_out_of_scope`); other bad
    filters are a 400 naming the parameter."""

    permission_classes = [MaySeeDashboard]
    input_serializer_class = DashboardQuery

    @extend_schema(parameters=[DashboardQuery], responses=DashboardOutput)
    def get(self, request: Request) -> Response:
        query = self.input_serializer_class(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = scope_for(access.request_user(request), query.validated_data)
        figures = dashboard.dashboard(scope, now=timezone.now())
        return Response(DashboardOutput({**figures, "scope": scope}).data)
