"""The applicant's objects, fetched and authorised together: what the user may not see is 404,
never 403, so ids reveal nothing (the console's district rule is accounts.access.district_condition)."""

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import district_condition, employers_administered
from accounts.models import User
from applications.choices import Status
from applications.models import AccompanyingPerson, Application, Attachment, LibraryDocument
from applications.selectors import applicant_applications, with_persons, with_reference
from audit.access_log import Purpose
from core.prepared import PreparedQuery


def access_application(*, user: User, public_id, persons: bool = True) -> Application:
    """The user's own application with what every wizard page shows (category, persons).

    persons=False leaves the 随迁人 to the caller, which reads them only if it needs them (the
    wizard: a step that saves and redirects does not).
    """
    found = _OWN_APPLICATION.one_or_none(applicant_id=user.pk, public_id=public_id)
    if found is None:
        raise Http404("申报不存在")
    if persons:
        with_persons(found)
    return with_reference(found)


def _own_application(*, applicant_id, public_id):
    # applicant_applications(user), by the id the call binds.
    return Application.objects.filter(applicant_id=applicant_id, public_id=public_id).select_related("employer")


# Every wizard page and every action on an application reads it: compiled once per process (core.prepared).
_OWN_APPLICATION = PreparedQuery(_own_application, applicant_id=models.IntegerField(), public_id=models.UUIDField())


def access_application_id(*, user: User, public_id) -> int:
    """The id of the user's own application, or 404, for a view whose service locks and reads the
    row itself (the submit): the row is then read once, not twice."""
    found = applicant_applications(user).filter(public_id=public_id).values_list("pk", flat=True).first()
    if found is None:
        raise Http404("申报不存在")
    return found


def access_library_document(*, user: User, public_id) -> LibraryDocument:
    return get_object_or_404(LibraryDocument, owner=user, public_id=public_id)


def access_person(*, user: User, public_id) -> AccompanyingPerson:
    return get_object_or_404(
        AccompanyingPerson.objects.select_related("application"),
        application__applicant=user,
        public_id=public_id,
    )


def access_attachment(*, user: User, public_id) -> Attachment:
    return get_object_or_404(
        Attachment.objects.select_related("application", "document"),
        application__applicant=user,
        public_id=public_id,
    )


def access_attachment_for_viewer(*, user: User, public_id) -> Attachment:
    """An attachment the user may look at: their own; as a district reviewer, any submitted
    application's of their district; as a city administrator, any submitted application's.
    Everything else (including drafts the applicant never submitted) is 404."""
    if not user.is_authenticated:
        raise Http404("附件不存在")
    may_see = Q(application__applicant=user) | (
        Q(application__submitted_at__isnull=False)
        & district_condition(user=user, path="application__district")
    )
    queryset = Attachment.objects.select_related("document", "application").filter(may_see)
    return get_object_or_404(queryset, public_id=public_id)


def access_employer_application(*, user: User, public_id) -> Application:
    """A submitted application naming an employer the user administers (单位确认在职), or 404."""
    return get_object_or_404(
        Application.objects.select_related("employer").filter(
            employer__in=employers_administered(user=user), submitted_at__isnull=False
        ),
        public_id=public_id,
    )


# --- Why a member of staff is looking (个人信息查阅记录) -------------------------------------------

# The states in which an application is an open task of the console: the reviewer is there to
# accept, decide or handle the notice and its objections. Anything else (returned to the applicant,
# rejected, withdrawn, published) has been decided, and looking at it again needs a stated reason.
TASK_PURPOSES = {
    Status.SUBMITTED: "审核",
    Status.UNDER_REVIEW: "审核",
    Status.IN_NOTICE: "公示及异议处理",
}
REASON_PURPOSE = "其他（已说明理由）"
_REASONS_KEY = "personal_data_access_reasons"


def staff_view_purpose(request, application: Application) -> Purpose | None:
    """The task this view serves, or the reason given for it in this session; None: ask first."""
    task = TASK_PURPOSES.get(application.status)
    if task is not None:
        return Purpose(task)
    reason = request.session.get(_REASONS_KEY, {}).get(str(application.public_id))
    return Purpose(REASON_PURPOSE, reason) if reason else None


def staff_view_reason_give(request, application: Application, reason: str) -> None:
    """Remember the reason for this application for the rest of the session (its scans, the page
    after a decision), so it is asked once per look, not once per image."""
    reasons = dict(request.session.get(_REASONS_KEY, {}))
    reasons[str(application.public_id)] = reason
    request.session[_REASONS_KEY] = reasons
