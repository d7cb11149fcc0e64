"""Shapes in and out of a case's notes, attachments and assistance records (shape only)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from casework.models import Attachment, NoteVisibility
from casework.serializers import UserRef
from common.serializers import ChoiceField, StrictSerializer, TextField
from workflows.serializers import TEXT

# The assistance body is `workflows.serializers.AssistanceInput`, the same as the assist action's.


VISIBILITY_HELP = _(
    "Who the note is for. `internal` (the default for the Dinas Sosial handling the case): its "
    "officers and supervisors only. `reporter`: the volunteer who reported the case reads it "
    "too. The reporter's own notes are always `reporter`; they cannot write internal ones."
)


class NoteInput(StrictSerializer):
    text = TextField(max_length=TEXT, label=_("Note"))
    visibility = ChoiceField(
        choices=NoteVisibility.choices,
        required=False,
        label=_("Who it is for"),
        help_text=VISIBILITY_HELP,
    )


class AttachmentInput(StrictSerializer):
    file = serializers.FileField(
        label=_("File"),
        help_text=_("A photo (JPEG, PNG, WebP) or a PDF, recognised by its content; size-limited."),
    )
    name = TextField(
        required=False,
        allow_blank=True,
        label=_("File name"),
        help_text=_("The name to show; default: the uploaded file's name. Cut to 200 characters."),
    )


class NoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    visibility = serializers.CharField(help_text=VISIBILITY_HELP)
    author = UserRef()
    created_at = serializers.DateTimeField()


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField(help_text=_("As recognised from the content."))
    size = serializers.IntegerField(help_text=_("In bytes."))
    uploaded_by = UserRef()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text=_("Where to download the file."))

    def get_url(self, attachment: Attachment) -> str:
        path = reverse(
            "case-attachment",
            kwargs={"case_id": attachment.case_id, "attachment_id": attachment.pk},
        )
        return self.context["request"].build_absolute_uri(path)


class AssistanceOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    description = serializers.CharField()
    delivered_at = serializers.DateField()
    provider = serializers.CharField()
    recorded_by = UserRef()
    created_at = serializers.DateTimeField()
