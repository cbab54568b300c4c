"""Reads of the review console and the public notice, each with its joins in one place.

Every console read is scoped by accounts.access.scope_to_district: a district reviewer sees their
own district only; review.access fetches one object through these and answers 404 outside it.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from accounts.access import scope_to_district
from accounts.models import Employer, Role, User
from applications import eligibility
from applications.choices import Status
from applications.models import ApplicantBar, Application, Attachment, ReapplicationGrant
from applications.reference import reference_objects
from applications.retention import CLOSED_STATUSES, RULE_CLOSED_SCANS
from applications.selectors import attached_to
from audit.models import AuditEntry, RetentionDeletion
from core.prepared import PreparedQuery
from quota.models import Quota
from reference.models import District
from review.models import NoticeEntry, Objection, PublicNotice, ServiceRating

# The states a reviewer has work to do in: accept or return, then decide.
TODO_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW)


def console_applications(*, user: User) -> QuerySet[Application]:
    """Applications the user may see in the console: submitted at least once, in their district."""
    return scope_to_district(Application.objects.filter(submitted_at__isnull=False), user=user)


def _open_objection_exists():
    return Exists(Objection.objects.filter(entry__application=OuterRef("pk"), status=Objection.Status.OPEN))


def _due_on():
    """The deadline the reviewer is working against: acceptance, then decision."""
    return Case(
        When(status=Status.SUBMITTED, then=F("accept_due_on")),
        When(status=Status.UNDER_REVIEW, then=F("decision_due_on")),
        default=Value(None),
        output_field=DateField(),
    )


@dataclass(frozen=True)
class QueueFilters:
    status: str = "todo"  # "todo", "all" or a Status value
    category_id: int | None = None
    subcategory_id: int | None = None
    district_id: int | None = None
    employer: str = ""
    submitted_from: datetime.date | None = None
    submitted_to: datetime.date | None = None
    overdue: bool = False
    query: str = ""


_EXACT_ID = re.compile(r"^(\d{17}[\dX]|[HM]\d{8}(\d{2})?)$")
APPLICATION_NUMBER_RE = re.compile(r"^GZRC\d{12}$")


def _search(query: str) -> Q:
    """A whole identity or application number is looked up exactly (an index hit, even among a
    million rows); anything else searches names and number fragments (and other documents exactly)."""
    normalized = query.replace(" ", "").upper()
    if APPLICATION_NUMBER_RE.match(normalized):
        return Q(number=normalized)
    if _EXACT_ID.match(normalized):
        return Q(id_number=normalized)
    return Q(number__icontains=normalized) | Q(full_name__icontains=query) | Q(id_number=normalized)


def review_queue(*, user: User, filters: QueueFilters, today: datetime.date) -> QuerySet[Application]:
    """The queue in order, narrow: filters, the working deadline and the sort keys, no joins.

    Paginate this, then fetch the page's rows with `queue_rows()`: joining employers, notices and
    objections for every matching application before sorting costs tens of milliseconds in a
    district of 90,000; joining 50 costs nothing.
    """
    queryset = console_applications(user=user).annotate(due_on=_due_on())
    if filters.status == "todo":
        queryset = queryset.filter(status__in=TODO_STATUSES)
    elif filters.status and filters.status != "all":
        queryset = queryset.filter(status=filters.status)
    if filters.category_id:
        queryset = queryset.filter(category_id=filters.category_id)
    if filters.subcategory_id:
        queryset = queryset.filter(subcategory_id=filters.subcategory_id)
    if filters.district_id:
        queryset = queryset.filter(district_id=filters.district_id)
    if filters.employer:
        queryset = queryset.filter(employer__name__icontains=filters.employer.strip())
    if filters.submitted_from:
        queryset = queryset.filter(last_submitted_at__date__gte=filters.submitted_from)
    if filters.submitted_to:
        queryset = queryset.filter(last_submitted_at__date__lte=filters.submitted_to)
    if filters.overdue:
        queryset = queryset.filter(due_on__lt=today)
    query = filters.query.strip()
    if query:
        queryset = queryset.filter(_search(query))
    return queryset.order_by(F("due_on").asc(nulls_last=True), "last_submitted_at", "pk")


@dataclass
class QueueRow:
    """One row of the queue as the table prints it: plain values, worked out here once.

    The 50 rows' template was half the page's CPU (issue 15 profile): a filter, a tag and nested
    tests per cell. The cells are strings here; only the days-left badge is still the template
    partial the other console pages share.
    """

    pk: int
    public_id: object
    number: str
    applicant_id: int
    full_name: str
    masked_id_number: str
    category: str  # "二、…": numeral and name
    subcategory_numeral: str  # "" when none
    quota_controlled: bool
    employer_name: str  # "—" when none
    district_name: str
    submitted: str  # local time, "Y-m-d H:i"
    status_badge: str  # the status badge's HTML (portal_tags.status_badge)
    has_open_objection: bool
    due_on: datetime.date | None
    notice_end: str  # "Y-m-d", an application in notice without a working deadline; else ""
    days_left: int | None = None  # set by the view (working days, from the calendar)


# The columns queue_rows() reads: what the table shows, not the 60 of an application.
_QUEUE_COLUMNS = (
    "pk", "public_id", "number", "applicant_id", "full_name", "id_number", "category_id",
    "subcategory_id", "district_id", "employer__name", "last_submitted_at", "status",
    "notice_entry__notice__end_date",
)  # fmt: skip


def queue_rows(*, ids: list[int]) -> list[QueueRow]:
    """The rows of one queue page, in the given order, with everything the table shows (one query)."""
    from core.templatetags.portal_tags import status_badge
    from core.text import mask_id_number

    values = (
        Application.objects.filter(pk__in=ids)
        .annotate(due_on=_due_on(), has_open_objection=_open_objection_exists())
        .values(*_QUEUE_COLUMNS, "due_on", "has_open_objection")
    )
    # category, sub-category, district from memory: fewer joins to plan
    reference = reference_objects()
    by_id = {}
    for v in values:
        category = reference["category"][v["category_id"]]
        subcategory = reference["subcategory"].get(v["subcategory_id"])
        notice_end, submitted_at = v["notice_entry__notice__end_date"], v["last_submitted_at"]
        by_id[v["pk"]] = QueueRow(
            pk=v["pk"],
            public_id=v["public_id"],
            number=v["number"],
            applicant_id=v["applicant_id"],
            full_name=v["full_name"],
            masked_id_number=mask_id_number(v["id_number"]),
            category=f"{category.numeral}、{category.name}",
            subcategory_numeral=subcategory.numeral if subcategory else "",
            quota_controlled=category.is_quota_controlled,
            employer_name=v["employer__name"] or "—",
            district_name=reference["district"][v["district_id"]].name,
            submitted=f"{timezone.localtime(submitted_at):%Y-%m-%d %H:%M}" if submitted_at else "",
            status_badge=status_badge(v["status"], Status(v["status"]).label),
            has_open_objection=v["has_open_objection"],
            due_on=v["due_on"],
            notice_end=f"{notice_end:%Y-%m-%d}" if v["status"] == Status.IN_NOTICE and notice_end else "",
        )
    return [by_id[pk] for pk in ids if pk in by_id]


def queue_counts_key(*, user: User, today: datetime.date) -> str:
    """The cache key of queue_counts(): its district's queue version and the day."""
    from core.cache import version
    from review.signals import queue_version_name

    name = queue_version_name(user.district_id if user.role == Role.REVIEWER else None)
    return f"queue-counts:{user.role}:{user.district_id}:{version(name)}:{today:%Y%m%d}"


# How long one page of the queue (its rows' HTML: names and masked ID numbers) may stay in the shared
# cache. The versions in its key make a change show at once; the timeout only bounds how long a
# person's row sits in Redis after the reviewer has moved on.
QUEUE_LISTING_TIMEOUT = 120


def queue_listing_key(*, user: User, query_string: str, today: datetime.date) -> str:
    """The cache key of one page of the queue as shown (the count, the rows, the pagination).

    Made of what the page's cells are read from, each a version its writers already bump: the
    district's queue (status changes, objections, any save of a submitted application:
    review.signals), the public notice (notice entries and their dates, employers' names,
    districts), the reference lists (categories, the 总量控制 mark, district names) and the working
    calendar (days left); then the scope (role and district: one reviewer never reads another
    district's page), the day (overdue, days left), the language and the query string with its
    page. The query string may hold a whole ID number (a search): it enters the key as an HMAC with
    the secret key, not as itself nor as a plain hash, which the few IDs of a birth date would undo.
    """
    from django.utils import translation
    from django.utils.crypto import salted_hmac

    from core.cache import version
    from reference.selectors import CALENDAR, REFERENCE
    from review.signals import PUBLIC_NOTICE, queue_version_name

    queue_name = queue_version_name(user.district_id if user.role == Role.REVIEWER else None)
    versions = ".".join(str(version(name)) for name in (queue_name, PUBLIC_NOTICE, REFERENCE, CALENDAR))
    query = salted_hmac("review.queue-listing", query_string).hexdigest()[:32]
    language = translation.get_language()
    return f"queue-listing:{user.role}:{user.district_id}:{versions}:{today:%Y%m%d}:{language}:{query}"


def queue_counts(*, user: User, today: datetime.date, key: str, cached: dict | None) -> dict[str, int]:
    """The numbers over the queue: to accept, to decide, overdue, in notice, objections open.

    Counted over the open states only (an index range, not the district's whole history), and
    kept in the versioned cache under `key` (queue_counts_key) until a status change or an
    objection in the district bumps it. The caller reads the cache (`cached`: the value found,
    or None), so that one round trip serves every cached part of the page.
    """
    from django.core.cache import cache

    if cached is not None:
        return cached
    scoped = console_applications(user=user).filter(status__in=(*TODO_STATUSES, Status.IN_NOTICE))
    counts = scoped.aggregate(
        to_accept=Count("pk", filter=Q(status=Status.SUBMITTED)),
        to_decide=Count("pk", filter=Q(status=Status.UNDER_REVIEW)),
        overdue=Count(
            "pk",
            filter=Q(status=Status.SUBMITTED, accept_due_on__lt=today)
            | Q(status=Status.UNDER_REVIEW, decision_due_on__lt=today),
        ),
        in_notice=Count("pk", filter=Q(status=Status.IN_NOTICE)),
    )
    counts["open_objections"] = console_objections(user=user).filter(status=Objection.Status.OPEN).count()
    cache.set(key, counts, 3600)
    return counts


# What the console's application page (templates/review/detail.html), its eligibility check and
# required attachments (applications.eligibility), the access log, the 申报表 PDF
# (applications.form_pdf) and the decisions read: ~75 columns where the whole rows of the joined
# tables were 143, and building the SELECT of those was a fifth of the page's CPU. A column read
# but not listed here costs a query of its own: tests/review/test_views_detail.py counts them.
CONSOLE_DETAIL_COLUMNS = (
    *(
        field.attname
        for field in Application._meta.concrete_fields
        # Never shown on the page: its bookkeeping, and the dates the trail shows instead.
        if field.name not in {"completed_steps", "decided_at", "published_at", "hukou_completed_at", "created_at", "updated_at"}
    ),
    "employer__name", "employer__credit_code",
    "employer_confirmed_by__full_name", "employer_confirmed_by__username",  # its display_name
    "notice_entry__notice__public_id", "notice_entry__notice__title",
    "notice_entry__notice__start_date", "notice_entry__notice__end_date",
    "quota_reservation__status",
    "quota_reservation__quota__year", "quota_reservation__quota__district_id",
    "quota_reservation__quota__employer_id",  # str(quota): review.access attaches both from memory
    "service_rating__score", "service_rating__comment", "service_rating__created_at",
)  # fmt: skip


def console_application_detail(*, whole_city: bool, district_id, today: datetime.date) -> QuerySet[Application]:
    """The submitted applications of one district (`whole_city`: of every district; the two as
    accounts.access.console_scope gives them), with everything the console's page of one reads, in
    as few statements as it takes.

    The district and the day may be core.prepared Params (review.access reads one application
    with it on every view of the page), so nothing here may depend on their values.

    `active_bar_until` (the 第十一条 bar in force `today`, as applications.selectors.active_bar
    picks it: the longest) and `has_unused_grant` (an unused 再次申报权限 for its year) come as
    subqueries of the same statement: each was a query of its own, and with a decided
    application's 异议 and deleted scans they took the page past the 8 statements of issue 15.
    """
    bar_until = (
        ApplicantBar.objects.filter(
            applicant_id=OuterRef("applicant_id"), barred_from__lte=today, barred_until__gte=today
        )
        .order_by("-barred_until")
        .values("barred_until")[:1]
    )
    unused_grant = ReapplicationGrant.objects.filter(
        applicant_id=OuterRef("applicant_id"), year=OuterRef("year"), used_by__isnull=True
    )
    applications = Application.objects.filter(submitted_at__isnull=False)
    if not whole_city:
        applications = applications.filter(district_id=district_id)
    return (
        applications
        .annotate(active_bar_until=Subquery(bar_until), has_unused_grant=Exists(unused_grant))
        # Twelve relations in one query cost PostgreSQL 10-35 ms of planning (its genetic
        # optimizer starts at 12) for 0.6 ms of execution on the million rows; the reference
        # tables are attached from memory instead (review.access, applications.reference).
        .select_related(
            "employer",
            "employer_confirmed_by",
            "notice_entry__notice",
            "quota_reservation__quota",
            "service_rating",  # one-to-one: rating_of() reads it from here
        )
        .only(*CONSOLE_DETAIL_COLUMNS)
    )


# The console's application page reads both on every view: compiled once per process (core.prepared).
_APPLICATION_ATTACHMENTS = PreparedQuery(
    lambda *, application_id: (
        Attachment.objects.filter(application_id=application_id)
        .select_related("document")
        .only("public_id", "application", "kind", "document__width", "document__height", "document__size")
        .order_by("created_at", "id")
    ),
    application_id=models.IntegerField(),
)
_APPLICATION_AUDIT_TRAIL = PreparedQuery(
    lambda *, application_id: (
        AuditEntry.objects.filter(application_id=application_id)
        # The actor's name as the trail shows it (display_name), not the whole account.
        .select_related("actor")
        .only(
            "action", "from_status", "to_status", "actor_role", "reason", "ip_address", "created_at",
            "actor__full_name", "actor__username",
        )  # fmt: skip
        .order_by("created_at", "id")
    ),
    application_id=models.IntegerField(),
)


def application_attachments(*, application: Application) -> list[Attachment]:
    """The page's tiles and the required-attachment check."""
    return attached_to(application, _APPLICATION_ATTACHMENTS.rows(application_id=application.pk))


def application_audit_trail(*, application: Application) -> list[AuditEntry]:
    return _APPLICATION_AUDIT_TRAIL.rows(application_id=application.pk)


def application_objections(*, application: Application) -> QuerySet[Objection]:
    # 异议 hang on the application's notice entry: one never put in a notice (most open tasks) has
    # none, and the detail page has already loaded the entry (select_related), so no query then.
    if Application.notice_entry.is_cached(application) and getattr(application, "notice_entry", None) is None:
        return Objection.objects.none()
    # The page lists each one's link, status and due date; who decided it is on its own page.
    return Objection.objects.filter(entry__application=application).only("public_id", "status", "due_on")


def age_on(birth_date: datetime.date | None, day: datetime.date | None) -> int | None:
    """Full years of age on `day` (办法: age is counted on the submission day)."""
    if birth_date is None or day is None:
        return None
    return eligibility.age_on(birth_date, day)


@dataclass
class DerivedFacts:
    submitted_on: datetime.date | None
    age: int | None
    max_age: int | None
    eligibility_messages: list[str]  # applications.eligibility on the submission day; empty = eligible
    missing_attachments: list[str]  # one message per missing required attachment


def derived_facts(*, application: Application, attachments: list[Attachment]) -> DerivedFacts:
    """Facts the reviewer would otherwise work out by hand: age and the eligibility result."""
    submitted_on = timezone.localdate(application.submitted_at) if application.submitted_at else None
    messages = eligibility.check_eligibility(application, on=submitted_on) if submitted_on is not None else []
    return DerivedFacts(
        submitted_on=submitted_on,
        age=age_on(application.birth_date, submitted_on),
        max_age=application.subcategory.max_age if application.subcategory_id else None,
        eligibility_messages=list(messages),
        missing_attachments=list(eligibility.missing_attachment_messages(application, attachments)),
    )


# --- objections and notice batches in the console ------------------------------------------------


def console_objections(*, user: User) -> QuerySet[Objection]:
    return scope_to_district(
        Objection.objects.select_related(
            "entry__application", "entry__notice", "entry__application__district", "decided_by"
        ),
        user=user,
        path="entry__application__district",
    )


def console_notices(*, user: User) -> QuerySet[PublicNotice]:
    return scope_to_district(
        PublicNotice.objects.select_related("district").annotate(
            entry_count=Count("entries", distinct=True),
            open_objection_count=Count(
                "entries__objections",
                filter=Q(entries__objections__status=Objection.Status.OPEN),
                distinct=True,
            ),
        ),
        user=user,
    ).order_by("-start_date", "district__sort_order", "-pk")


def notice_entries(*, notice: PublicNotice) -> QuerySet[NoticeEntry]:
    return (
        NoticeEntry.objects.filter(notice=notice)
        .select_related("application__employer", "application__category", "application__subcategory")
        .annotate(
            open_objection_count=Count(
                "objections", filter=Q(objections__status=Objection.Status.OPEN), distinct=True
            )
        )
        .order_by("added_at", "pk")
    )


# --- quota ------------------------------------------------------------------------------------------


@dataclass
class QuotaRow:
    label: str
    district: District
    employer: Employer | None
    total: int | None
    reserved: int
    used: int
    waiting: int  # 五类 applications under review that would need a place

    @property
    def left(self) -> int | None:
        return None if self.total is None else self.total - self.reserved - self.used

    def _percent(self, value: int) -> float:
        return round(100 * value / self.total, 1) if self.total else 0.0

    @property
    def used_percent(self) -> float:
        return self._percent(self.used)

    @property
    def reserved_percent(self) -> float:
        return self._percent(self.reserved)

    @property
    def left_percent(self) -> float:
        return self._percent(self.left or 0)


def quota_overview(*, user: User, year: int) -> list[QuotaRow]:
    """Each district's 总量控制 places for the year (and the 五(四) key-employer shares).

    Three queries: districts, quota rows, the count of quota-controlled applications under review.
    A district without a quota row is shown as not yet allocated.
    """
    districts = District.objects.order_by("sort_order")
    if user.role != Role.CITY_ADMIN:
        districts = districts.filter(pk=user.district_id)
    districts = list(districts)
    quotas = list(
        scope_to_district(Quota.objects.filter(year=year), user=user).select_related("district", "employer")
    )
    waiting_rows = (
        scope_to_district(Application.objects.all(), user=user)
        .filter(status=Status.UNDER_REVIEW, category__is_quota_controlled=True, year=year)
        .values("district_id")
        .annotate(n=Count("pk"))
    )
    waiting = {row["district_id"]: row["n"] for row in waiting_rows}
    by_district = {q.district_id: q for q in quotas if q.employer_id is None}
    rows = []
    for district in districts:
        q = by_district.get(district.pk)
        rows.append(
            QuotaRow(
                label=district.name,
                district=district,
                employer=None,
                total=q.total_places if q else None,
                reserved=q.reserved if q else 0,
                used=q.used if q else 0,
                waiting=waiting.get(district.pk, 0),
            )
        )
        for employer_quota in (q for q in quotas if q.employer_id and q.district_id == district.pk):
            rows.append(
                QuotaRow(
                    label=f"{employer_quota.employer.name}（五(四)专项）",
                    district=district,
                    employer=employer_quota.employer,
                    total=employer_quota.total_places,
                    reserved=employer_quota.reserved,
                    used=employer_quota.used,
                    waiting=0,
                )
            )
    return rows


def quota_years() -> list[int]:
    years = set(Quota.objects.values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


# --- the public notice ----------------------------------------------------------------------------


PUBLIC_STATUSES = (Status.IN_NOTICE, Status.PUBLISHED)


def public_notice_entries(*, current: bool, employer: str = "", number: str = "") -> QuerySet[NoticeEntry]:
    """Entries of current (open) or past (closed) notices, without anything but what may be public.

    An application rejected after an upheld objection leaves the list: the notice must not show
    someone as about to be admitted who will not be. There is no name filter: it would confirm the
    full name behind the printed mask.
    """
    status = PublicNotice.Status.OPEN if current else PublicNotice.Status.CLOSED
    queryset = NoticeEntry.objects.filter(
        notice__status=status, application__status__in=PUBLIC_STATUSES
    ).select_related(
        "notice__district", "application__employer", "application__category", "application__subcategory"
    )
    if employer.strip():
        queryset = queryset.filter(application__employer__name__icontains=employer.strip())
    if number:
        queryset = queryset.filter(application__number=number)
    return queryset.order_by("-notice__start_date", "notice__district__sort_order", "added_at", "pk")


def public_notice_entry(*, application_public_id) -> QuerySet[NoticeEntry]:
    return NoticeEntry.objects.select_related("notice__district", "application__employer").filter(
        application__public_id=application_public_id, application__status__in=PUBLIC_STATUSES
    )


# --- 政务服务好差评 ------------------------------------------------------------------------------------

# 好评 are the three upper grades, 差评 the two lower ones (the 好差评 scale).
GOOD_SCORES = (
    ServiceRating.Score.VERY_SATISFIED,
    ServiceRating.Score.SATISFIED,
    ServiceRating.Score.BASICALLY_SATISFIED,
)


@dataclass(frozen=True)
class RatingFilters:
    score: int | None = None
    poor_only: bool = False
    district_id: int | None = None


def console_ratings(*, user: User, filters: RatingFilters = RatingFilters()) -> QuerySet[ServiceRating]:
    """The ratings a console user may read: a reviewer their district's, the city every district's."""
    ratings = scope_to_district(ServiceRating.objects.all(), user=user)
    if filters.score:
        ratings = ratings.filter(score=filters.score)
    if filters.poor_only:
        ratings = ratings.exclude(score__in=GOOD_SCORES)
    if filters.district_id:
        ratings = ratings.filter(district_id=filters.district_id)
    return ratings


def rating_of(*, application: Application) -> ServiceRating | None:
    # Loaded with the application (select_related("service_rating"): the status and detail pages)
    # it costs no query; a missing rating is cached as None and raises an AttributeError subclass.
    if Application.service_rating.is_cached(application):
        return getattr(application, "service_rating", None)
    return ServiceRating.objects.filter(application=application).first()


def rating_rows(ratings: QuerySet[ServiceRating]) -> QuerySet[ServiceRating]:
    """One page of the list with what its rows show, in one query."""
    return ratings.select_related("application", "district").only(
        "public_id", "score", "comment", "outcome", "created_at", "district__name",
        "application__public_id", "application__number", "application__full_name",
    ).order_by("-created_at", "-id")  # fmt: skip


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None
    good: int
    by_score: dict[int, int]

    @property
    def poor(self) -> int:
        return self.count - self.good

    @property
    def good_rate(self) -> float | None:
        return self.good / self.count if self.count else None

    @property
    def grades(self) -> list[tuple[str, int]]:
        """(label, count) of each grade, best first."""
        return [(label, self.by_score[value]) for value, label in ServiceRating.Score.choices]


def rating_summary(ratings: QuerySet[ServiceRating]) -> RatingSummary:
    """Count, average, 好评 and each grade's count of `ratings`, in one query."""
    figures = ratings.order_by().aggregate(
        count=Count("id"),
        average=Avg("score"),
        good=Count("id", filter=Q(score__in=GOOD_SCORES)),
        **{f"score_{value}": Count("id", filter=Q(score=value)) for value in ServiceRating.Score.values},
    )
    return RatingSummary(
        count=figures["count"],
        average=figures["average"],
        good=figures["good"],
        by_score={value: figures[f"score_{value}"] for value in ServiceRating.Score.values},
    )


@dataclass(frozen=True)
class DistrictRatings:
    district: District
    count: int
    average: float | None
    poor: int


def ratings_by_district(ratings: QuerySet[ServiceRating]) -> list[DistrictRatings]:
    """Every district with its figures (the city administrator's view): one grouped query, the
    districts from the reference cache."""
    rows = {
        row["district_id"]: row
        for row in ratings.order_by()
        .values("district_id")
        .annotate(count=Count("id"), average=Avg("score"), poor=Count("id", filter=~Q(score__in=GOOD_SCORES)))
    }
    return [
        DistrictRatings(
            district=district,
            count=rows.get(district.pk, {}).get("count", 0),
            average=rows.get(district.pk, {}).get("average"),
            poor=rows.get(district.pk, {}).get("poor", 0),
        )
        for district in sorted(reference_objects()["district"].values(), key=lambda d: d.sort_order)
    ]


def application_retention_deletions(*, application: Application) -> list:
    """The scans of a closed application that the retention rules deleted (applications.retention),
    so its page says they were there rather than that they were never uploaded."""
    if application.status not in CLOSED_STATUSES or not application.number:
        return []
    return list(
        RetentionDeletion.objects.filter(rule=RULE_CLOSED_SCANS, application_number__contains=application.number)
        .order_by("created_at", "id")
    )
