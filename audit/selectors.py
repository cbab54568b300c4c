"""Reads of the access log of personal data: the applicant's own rows, the city administrator's filter."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from audit.models import PersonalDataAccess


def access_log_for_subject(*, subject) -> QuerySet[PersonalDataAccess]:
    """The views of this person's data, newest first; the viewer comes along for their name."""
    return PersonalDataAccess.objects.filter(subject=subject).select_related("viewer").order_by("-created_at", "-id")


@dataclass(frozen=True)
class AccessLogFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    viewer: str = ""  # a staff username
    subject: str = ""  # an applicant's username or identity number


def access_log_filtered(*, filters: AccessLogFilters) -> QuerySet[PersonalDataAccess]:
    rows = PersonalDataAccess.objects.select_related("viewer", "subject")
    if filters.date_from:
        rows = rows.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(created_at__date__lte=filters.date_to)
    if filters.viewer:
        rows = rows.filter(viewer__username__iexact=filters.viewer)
    if filters.subject:
        value = filters.subject.strip()
        rows = rows.filter(Q(subject__username__iexact=value) | Q(subject__id_number=value.upper()))
    return rows.order_by("-created_at", "-id")
