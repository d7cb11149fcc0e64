"""The in-app inbox and notification preferences of the signed-in user. Thin views."""

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.access import request_user
from notifications import selectors, services
from notifications.filters import InboxFilter
from notifications.models import InboxItem
from notifications.pagination import InboxPagination
from notifications.serializers import InboxItemOutput, PreferenceInput, PreferenceOutput


class InboxListApi(ListAPIView):
    """Your notifications, newest first; `?unread=true` for the unread ones only."""

    serializer_class = InboxItemOutput
    pagination_class = InboxPagination
    filterset_class = InboxFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return InboxItem.objects.none()
        return selectors.inbox_for(request_user(self.request))


class InboxReadApi(APIView):
    @extend_schema(request=None, responses=InboxItemOutput)
    def post(self, request: Request, item_id: str) -> Response:
        item = services.inbox_mark_read(user=request_user(request), item_id=item_id)
        return Response(InboxItemOutput(item).data)


class InboxReadAllApi(APIView):
    @extend_schema(request=None, responses={200: {"type": "object"}})
    def post(self, request: Request) -> Response:
        return Response({"marked": services.inbox_mark_all_read(user=request_user(request))})


class PreferenceApi(APIView):
    """How you are told: the inbox always; e-mail and WhatsApp/SMS if you choose; language."""

    input_serializer_class = PreferenceInput

    @extend_schema(responses=PreferenceOutput)
    def get(self, request: Request) -> Response:
        return Response(PreferenceOutput(selectors.preference_for(request_user(request))).data)

    @extend_schema(request=PreferenceInput, responses=PreferenceOutput)
    def patch(self, request: Request) -> Response:
        body = self.input_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        preference = services.preference_update(
            user=request_user(request), changes=body.validated_data
        )
        return Response(PreferenceOutput(preference).data)
