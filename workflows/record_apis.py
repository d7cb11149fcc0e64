"""A case's notes, attachments and assistance records: list and add; download an attachment.

Thin: check the case is within reach (404 before any 400), parse, call `workflows.records`,
serialize.
"""

from django.http import FileResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import selectors
from casework import services as casework_services
from casework.access import request_user
from casework.models import AccessKind
from workflows import records, uploads
from workflows import selectors as workflow_selectors
from workflows.record_serializers import (
    AssistanceOutput,
    AttachmentInput,
    AttachmentOutput,
    NoteInput,
    NoteOutput,
)
from workflows.serializers import AssistanceInput


class CaseNotesApi(APIView):
    """`GET` a case's notes, oldest first; `POST` adds one (not on a closed case).

    The Dinas Sosial handling the case reads every note; its reporter, the notes for the
    reporter and their own.
    """

    input_serializer_class = NoteInput

    @extend_schema(responses=NoteOutput(many=True))
    def get(self, request: Request, case_id: str) -> Response:
        user = request_user(request)
        case = selectors.case_get_for_user(user=user, case_id=case_id)
        notes = workflow_selectors.case_notes(case, reader=user)
        return Response(NoteOutput(notes, many=True).data)

    @extend_schema(request=NoteInput, responses={201: NoteOutput})
    def post(self, request: Request, case_id: str) -> Response:
        selectors.case_get_for_user(user=request_user(request), case_id=case_id)  # 404 before 400
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = records.note_add(
            case_id=case_id,
            author=request_user(request),
            text=serializer.validated_data["text"],
            visibility=serializer.validated_data.get("visibility"),
        )
        return Response(NoteOutput(note).data, status=status.HTTP_201_CREATED)


class CaseAttachmentsApi(APIView):
    """`GET` a case's attachments; `POST` (multipart/form-data) uploads a photo or a PDF."""

    parser_classes = [uploads.AttachmentParser]
    input_serializer_class = AttachmentInput

    @extend_schema(responses=AttachmentOutput(many=True))
    def get(self, request: Request, case_id: str) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        attachments = workflow_selectors.case_attachments(case)
        return Response(AttachmentOutput(attachments, many=True, context=self._context()).data)

    @extend_schema(
        request={"multipart/form-data": AttachmentInput},
        responses={201: AttachmentOutput, 413: OpenApiResponse(description="File too large.")},
    )
    def post(self, request: Request, case_id: str) -> Response:
        selectors.case_get_for_user(user=request_user(request), case_id=case_id)  # 404 before 400
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = records.attachment_add(
            case_id=case_id,
            uploader=request_user(request),
            upload=serializer.validated_data["file"],
            name=serializer.validated_data.get("name"),
        )
        return Response(
            AttachmentOutput(attachment, context=self._context()).data,
            status=status.HTTP_201_CREATED,
        )

    def _context(self) -> dict:
        return {"request": self.request}


class FirstRendererNegotiation(BaseContentNegotiation):
    """A download answers with the file whatever `Accept` says; its errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)


@method_decorator(never_cache, name="dispatch")  # personal data: no shared or browser cache
class CaseAttachmentApi(APIView):
    """`GET` the file itself, with the content type recognised when it was uploaded."""

    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in uploads.EXTENSIONS}
    )
    def get(self, request: Request, case_id: str, attachment_id: int) -> FileResponse:
        attachment = workflow_selectors.attachment_get_for_user(
            user=request_user(request), case_id=case_id, attachment_id=attachment_id
        )
        # A photo or document of the person is personal data: its download is a logged read.
        casework_services.personal_data_reads_record(
            user=request_user(request), cases=[attachment.case], kind=AccessKind.ATTACHMENT
        )
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=uploads.download_name(attachment.name, attachment.content_type),
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CaseAssistanceApi(APIView):
    """`GET` a case's assistance records by delivery date; `POST` records a further one."""

    input_serializer_class = AssistanceInput

    @extend_schema(responses=AssistanceOutput(many=True))
    def get(self, request: Request, case_id: str) -> Response:
        case = selectors.case_get_for_user(user=request_user(request), case_id=case_id)
        return Response(AssistanceOutput(workflow_selectors.case_assistance(case), many=True).data)

    @extend_schema(request=AssistanceInput, responses={201: AssistanceOutput})
    def post(self, request: Request, case_id: str) -> Response:
        selectors.case_get_for_user(user=request_user(request), case_id=case_id)  # 404 before 400
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = records.assistance_add(
            case_id=case_id, actor=request_user(request), data=serializer.validated_data
        )
        return Response(AssistanceOutput(record).data, status=status.HTTP_201_CREATED)
