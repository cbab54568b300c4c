"""Hands out private files after the calling view has decided the user may have them.

In development Django streams the file; behind nginx (PRIVATE_MEDIA_X_ACCEL_PREFIX set) the view
answers with X-Accel-Redirect to an `internal` location, so nginx sends the bytes from the folder.

In a bucket (PRIVATE_STORAGE_BUCKET) the file is always streamed through this response, read from
the bucket with the portal's keys into memory: the headers below and the view's access decision
stay in one place, and the only link anyone ever sees is the view's own, which answers 404 to
everyone else. (A presigned bucket URL would work for whoever holds it until it expires; an nginx
location proxying the bucket would need the bucket's keys in nginx. docs/operations.md.)
"""

import logging
import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

from core.errors import Refused

logger = logging.getLogger(__name__)


class PrivateFileUnavailable(Refused):
    """The store failed (a folder not mounted, a bucket unreachable or refusing the portal's key):
    the operator's fault, told to the user as such and never as a 500."""

    status_code = 503


def private_file_response(
    file: FieldFile, *, download_name: str, as_attachment: bool = False, content_type: str | None = None
) -> HttpResponse:
    if not file or not file.name:
        raise Http404("文件不存在")
    content_type = content_type or mimetypes.guess_type(download_name)[0] or "application/octet-stream"
    disposition = "attachment" if as_attachment else "inline"
    prefix = settings.PRIVATE_MEDIA_X_ACCEL_PREFIX
    # Only files in the local folder are on nginx's disk; a bucket's are streamed.
    if prefix and isinstance(file.storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(file.name)}"
    else:
        try:
            handle = file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("文件不存在") from exc
        except OSError as exc:
            logger.error("private file %s cannot be read: %s", file.name, exc)
            raise PrivateFileUnavailable(
                "文件暂时无法读取，请稍后再试；如仍无法打开，请联系管理员。", code="private_file_unavailable"
            ) from exc
        response = FileResponse(handle, content_type=content_type)
    return _private_headers(response, disposition=disposition, download_name=download_name)


def private_content_response(
    content: bytes, *, download_name: str, content_type: str, as_attachment: bool = False
) -> HttpResponse:
    """A private document made for this request (the 申报表 PDF), with the same headers as a file."""
    response = HttpResponse(content, content_type=content_type)
    return _private_headers(
        response, disposition="attachment" if as_attachment else "inline", download_name=download_name
    )


def _private_headers(response: HttpResponse, *, disposition: str, download_name: str) -> HttpResponse:
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(download_name)}"
    # Personal documents must not linger in shared caches or be sniffed into something else.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
