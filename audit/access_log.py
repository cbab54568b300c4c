"""The staff access log of personal data (个人信息查阅记录): the one writer, batched per request.

A view that shows a person's data calls `note_view(request, ...)` once per person shown. The rows
wait on the request and `PersonalDataAccessMiddleware` writes them in one INSERT when the view has
answered successfully (a refused or failed view showed nothing): a search page showing fifty people
costs one statement, not fifty, and a detail page one. Outside a request (a shell, a test of a
service) `note_view` has no request to wait on, and `access_record` writes at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from audit.actions import role_label
from audit.models import PersonalDataAccess

CITY_BUREAU = "广州市人力资源和社会保障局"
POLICE_BUREAU = "公安机关户政窗口"

_PENDING = "_personal_data_access_pending"


def viewer_bureau(user) -> str:
    """The unit the viewer works for, as the applicant reads it on their page."""
    if user.role == "reviewer" and user.district_id:
        return user.district.bureau_name
    if user.role == "police":
        return POLICE_BUREAU
    return CITY_BUREAU


@dataclass(frozen=True)
class Purpose:
    """Why a view happened: the task it served (审核, 入户办理) or a reason the viewer gave."""

    label: str
    reason: str = ""


def _row(*, viewer, subject_id: int, what: str, purpose: Purpose, application=None, item: str = "",
         ip_address: str | None = None) -> PersonalDataAccess:  # fmt: skip
    return PersonalDataAccess(
        subject_id=subject_id,
        application_id=getattr(application, "pk", None),
        application_number=(getattr(application, "number", "") or "") if application is not None else "",
        viewer=viewer,
        viewer_role=viewer.role,
        viewer_bureau=viewer_bureau(viewer),
        what=what,
        item=item[:60],
        purpose=purpose.label[:30],
        reason=purpose.reason[:300],
        ip_address=ip_address,
        created_at=timezone.now(),
    )


def note_view(request, *, subject_id: int, what: str, purpose: Purpose, application=None, item: str = "") -> None:
    """Record that request.user saw `what` of the person `subject_id`; written when the view succeeds."""
    from core.client_ip import client_ip

    row = _row(
        viewer=request.user, subject_id=subject_id, what=what, purpose=purpose, application=application,
        item=item, ip_address=client_ip(request),
    )  # fmt: skip
    pending = getattr(request, _PENDING, None)
    if pending is None:  # no middleware in this stack: nothing would flush a buffer
        row.save()
        return
    pending.append(row)


def access_record(*, viewer, subject_id: int, what: str, purpose: Purpose, application=None, item: str = "",
                  ip_address: str | None = None) -> PersonalDataAccess:  # fmt: skip
    """Write one row now (a view outside a request: a management command, a service's test)."""
    row = _row(
        viewer=viewer, subject_id=subject_id, what=what, purpose=purpose, application=application,
        item=item, ip_address=ip_address,
    )  # fmt: skip
    row.save()
    return row


def flush(rows: list[PersonalDataAccess]) -> None:
    if rows:
        PersonalDataAccess.objects.bulk_create(rows)


class PersonalDataAccessMiddleware:
    """Collects the rows a view notes and writes them in one INSERT once it has answered below 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pending: list[PersonalDataAccess] = []
        setattr(request, _PENDING, pending)
        response = self.get_response(request)
        if pending and response.status_code < 400:
            # Before the response leaves: a view whose record could not be written must not count
            # as unrecorded; a database fault here is the page's fault (500), as for any write.
            flush(pending)
        return response


def role_and_bureau(row: PersonalDataAccess) -> str:
    return f"{row.viewer_bureau} {role_label(row.viewer_role)}"


class AdminChangeViewLogged:
    """A ModelAdmin mixin: its change page shows a person's data, so each GET of it is a view.
    The admin says whose (`access_subject(obj)` → (subject_id, application, item)) and what."""

    access_what: str = PersonalDataAccess.What.APPLICATION
    ADMIN_PURPOSE = Purpose("管理后台查阅")

    def access_subject(self, obj) -> tuple[int, object, str]:
        raise NotImplementedError

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from django.contrib.admin.utils import unquote

        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                subject_id, application, item = self.access_subject(obj)
                note_view(
                    request, subject_id=subject_id, what=self.access_what, purpose=self.ADMIN_PURPOSE,
                    application=application, item=item,
                )  # fmt: skip
        return response
