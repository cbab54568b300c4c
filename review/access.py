"""The console's objects, fetched and authorised together: another district's is 404."""

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import console_scope, scope_to_district
from accounts.models import Role, User
from applications.access import staff_view_purpose as console_view_purpose
from applications.access import staff_view_reason_give as console_view_reason_give
from applications.models import Application, Attachment
from applications.reference import attach_reference
from applications.selectors import with_persons
from core.prepared import PreparedQuery
from quota.models import Quota
from review import selectors
from review.models import Objection, PublicNotice

# Why a member of staff looks: applications.access decides it (the applicant-side scan preview asks too).
__all__ = ["console_view_purpose", "console_view_reason_give"]


# Read on every view of an application's console page: compiled once per process (core.prepared),
# with the district, the application and the day bound on each call.
_CONSOLE_APPLICATION = PreparedQuery(
    lambda *, whole_city, district_id, public_id, today: selectors.console_application_detail(
        whole_city=whole_city, district_id=district_id, today=today
    ).filter(public_id=public_id),
    district_id=models.IntegerField(),
    public_id=models.UUIDField(),
    today=models.DateField(),
)


def access_console_application(*, user: User, public_id) -> Application:
    """A submitted application of the user's district, with what the detail page shows."""
    scope = console_scope(user)
    if scope is None:
        raise Http404("申报不存在")
    whole_city, district_id = scope
    app = _CONSOLE_APPLICATION.one_or_none(
        whole_city=whole_city, district_id=district_id, public_id=public_id, today=timezone.localdate()
    )
    if app is None:
        raise Http404("申报不存在")
    # The page's table, the eligibility check and the required attachments all iterate the 随迁人:
    # one prepared read for the three instead of one query each.
    with_persons(app)
    # Category, sub-category, district and the quota's district from memory, not joined.
    attach_reference([app], "category", "subcategory", "district", "quota_reservation__quota__district")
    quota = app.quota_reservation.quota if hasattr(app, "quota_reservation") else None
    if quota is not None and quota.employer_id is not None and quota.employer_id == app.employer_id:
        # A key employer's own quota share (quota.services): the employer read with the application.
        Quota.employer.field.set_cached_value(quota, app.employer)
    return app


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

