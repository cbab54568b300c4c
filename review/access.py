"""The console's objects, fetched and authorised together: another district's is 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import scope_to_district
from accounts.models import Role, User
from applications.choices import Status
from applications.models import Application, Attachment
from audit.access_log import Purpose
from review import selectors
from review.models import Objection, PublicNotice


def access_console_application(*, user: User, public_id) -> Application:
    """A submitted application of the user's district, with what the detail page shows."""
    return get_object_or_404(selectors.console_application_detail(user=user), public_id=public_id)


def access_console_attachment(*, user: User, application_public_id, public_id) -> Attachment:
    """An attachment of a submitted application of the user's district, in one query."""
    attachments = scope_to_district(
        Attachment.objects.select_related("document", "application").filter(application__submitted_at__isnull=False),
        user=user,
        path="application__district",
    )
    return get_object_or_404(attachments, application__public_id=application_public_id, public_id=public_id)


def access_objection(*, user: User, public_id) -> Objection:
    return get_object_or_404(selectors.console_objections(user=user), public_id=public_id)


def access_notice(*, user: User, public_id) -> PublicNotice:
    return get_object_or_404(selectors.console_notices(user=user), public_id=public_id)


def access_statistics_district(*, user: User, requested: int | None) -> int | None:
    """The district whose statistics the user sees: a city administrator the one asked for (None:
    the whole city); a reviewer always their own, and another district's figures are a 404."""
    if user.role == Role.CITY_ADMIN:
        return requested
    if requested is not None and requested != user.district_id:
        raise Http404("没有找到该区的统计数据。")
    return user.district_id


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


def console_view_purpose(request, application: Application) -> Purpose | None:
    """The task this view serves, or the reason given for it in this session; None: ask first."""
    task = TASK_PURPOSES.get(application.status)
    if task is not None:
        return Purpose(task)
    reason = request.session.get(_REASONS_KEY, {}).get(str(application.public_id))
    return Purpose(REASON_PURPOSE, reason) if reason else None


def console_view_reason_give(request, application: Application, reason: str) -> None:
    """Remember the reason for this application for the rest of the session (its scans, the page
    after a decision), so it is asked once per look, not once per image."""
    reasons = dict(request.session.get(_REASONS_KEY, {}))
    reasons[str(application.public_id)] = reason
    request.session[_REASONS_KEY] = reasons
