"""What an attachment is, decided by its first bytes, and how big it may be.

Never by the client's file name or `Content-Type`: a field app names files as it likes, and a
browser that trusted either would run an HTML page or a script served back from our storage.
Only JPEG, PNG and WebP photos and PDF documents are kept.
"""

import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from rest_framework.parsers import MultiPartParser

from common.errors import DomainError, ValidationFailed

NAME_MAX = 200  # Attachment.name
EXTENSION_MAX = 10  # kept when a long display name is cut
# Room for the multipart boundaries, part headers and the `name` field around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    matches: Callable[[bytes], bool]


KINDS = (
    FileKind("image/jpeg", ".jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    FileKind("image/png", ".png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    FileKind("image/webp", ".webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    FileKind("application/pdf", ".pdf", lambda head: head.startswith(b"%PDF-")),
)
HEAD_BYTES = 12  # enough for every signature above
EXTENSIONS = {kind.content_type: kind.extension for kind in KINDS}


class FileTooLarge(DomainError):
    status_code = 413
    code = "file_too_large"
    default_message = _("The file is too large.")


def too_large() -> FileTooLarge:
    return FileTooLarge(
        _("The file is larger than the limit of %(limit)s.")
        % {"limit": filesizeformat(settings.MAX_ATTACHMENT_BYTES)}
    )


def check_upload(upload: UploadedFile) -> FileKind:
    """The kind of an uploaded file: its size first (without reading it), then its content.

    Raises FileTooLarge (413) or ValidationFailed on `file` (`empty`, `unsupported_file_type`).
    """
    if upload.size is None or upload.size > settings.MAX_ATTACHMENT_BYTES:
        raise too_large()
    if upload.size == 0:
        raise ValidationFailed.for_field("file", "empty", _("The submitted file is empty."))
    kind = sniff(_head(upload))
    if kind is None:
        raise ValidationFailed.for_field(
            "file",
            "unsupported_file_type",
            _("Only photos (JPEG, PNG, WebP) and PDF documents can be attached."),
        )
    return kind


def sniff(head: bytes) -> FileKind | None:
    return next((kind for kind in KINDS if kind.matches(head)), None)


def _head(upload: UploadedFile) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)  # the storage reads it again from the start
    return head


def stored_name(kind: FileKind) -> str:
    """A name of our own for the storage: nothing the client sent ends up in a path."""
    return f"{uuid.uuid4().hex}{kind.extension}"


def display_name(name: str, *, kind: FileKind) -> str:
    """The client's name for the file, to show and to download as: the last path segment only,
    without control characters (they would break a header), at most NAME_MAX characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C")).strip()
    if not name.strip("."):
        return f"attachment{kind.extension}"
    if len(name) <= NAME_MAX:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) >= EXTENSION_MAX:
        return name[:NAME_MAX].rstrip()
    return f"{stem[: NAME_MAX - len(extension) - 1].rstrip()}.{extension}"


def download_name(name: str, content_type: str) -> str:
    """The stored display name, ending in the extension of what the file really is: a PNG named
    `foto.exe` downloads as `foto.exe.png`."""
    extension = EXTENSIONS.get(content_type, "")
    aliases = {".jpg": (".jpg", ".jpeg")}.get(extension, (extension,))
    return name if name.lower().endswith(aliases) else f"{name}{extension}"


class AttachmentParser(MultiPartParser):
    """multipart/form-data, refusing a body that cannot hold an allowed file before reading it.

    The file's own size is checked again in `check_upload`: this is only the early, cheap refusal
    (Django would otherwise spool the whole body to a temporary file first).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        length = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            declared = int(length or 0)
        except ValueError:
            declared = 0  # Django's own parser refuses a malformed length
        if declared > settings.MAX_ATTACHMENT_BYTES + MULTIPART_OVERHEAD:
            raise too_large()
        return super().parse(stream, media_type, parser_context)
