"""A case's notes, attachments and assistance records: list and add; download an attachment.

Thin: check the case is within reach (404 before any 400), parse, call `workflows.records`,
serialize.
"""

from typing import cast

from django.http import FileResponse, QueryDict
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework import idempotency, selectors
from casework import services as casework_services
from casework.access import request_user
from casework.models import AccessKind, Attachment
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


UPLOAD_IDEMPOTENCY_PARAMETER = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_(
        "Up to 255 characters. A retry of the same upload (the same file's bytes, its name and "
        "the other fields) with the same key returns the first attachment and stores nothing; "
        "the same key with another file or on another case is a 422."
    ),
)


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
        parameters=[UPLOAD_IDEMPOTENCY_PARAMETER],
    )
    def post(self, request: Request, case_id: str) -> Response:
        user = request_user(request)
        selectors.case_get_for_user(user=user, case_id=case_id)  # 404 before 400
        key = request.headers.get(idempotency.HEADER)
        # The key row and the attachment commit or roll back together, after `attachment_add`'s
        # own transaction: a rollback then must take the stored file with it.
        with records.files_deleted_on_failure() as added:
            if key is None:
                code, _attachment_id, body = self._add(request, case_id, added)
                return Response(body, status=code)
            code, body, replayed = idempotency.run_idempotent(
                user=user,
                key=idempotency.check_key(key),
                fingerprint=idempotency.request_fingerprint(
                    method=str(request.method),
                    path=request.path,  # the case's: the same key on another case is a 422
                    # The one parser is multipart's: its data is a QueryDict, files included.
                    body=idempotency.form_body(cast(QueryDict, request.data)),
                ),
                perform=lambda: self._add(request, case_id, added),
                replay=lambda attachment_id: self._render(request, case_id, attachment_id),
            )
        return Response(body, status=code, headers={"Idempotent-Replayed": str(replayed).lower()})

    def _add(
        self, request: Request, case_id: str, added: list[Attachment]
    ) -> tuple[int, str, dict]:
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = records.attachment_add(
            case_id=case_id,
            uploader=request_user(request),
            upload=serializer.validated_data["file"],
            name=serializer.validated_data.get("name"),
        )
        added.append(attachment)
        body = AttachmentOutput(attachment, context=self._context()).data
        return status.HTTP_201_CREATED, str(attachment.pk), body

    def _render(self, request: Request, case_id: str, attachment_id: str) -> dict:
        """A replay: the attachment the first request stored, rendered again."""
        attachment = workflow_selectors.attachment_get_for_user(
            user=request_user(request), case_id=case_id, attachment_id=int(attachment_id)
        )
        return AttachmentOutput(attachment, context=self._context()).data

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
