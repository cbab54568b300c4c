"""Reads the applicant's screens (and the review console's attachment links) share.

Each function fetches what its page shows in a fixed number of queries, and scopes every object
to the user who may see it: anything else is Http404, never 403, so ids reveal nothing.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Employer, User
from applications.choices import AttachmentKind, MoveType, Status
from applications.models import (
    AccompanyingPerson,
    ApplicantBar,
    Application,
    Attachment,
    LibraryDocument,
    TalentCategory,
    TalentSubcategory,
)
from applications.policy import OPEN_STATUSES
from applications.reference import attach_reference
from audit.actions import AuditAction
from audit.models import AuditEntry
from core.prepared import PreparedQuery, set_prefetched

# Category, sub-category and districts come from applications.reference (memory), not from joins.
_REFERENCE_FIELDS = ("category", "subcategory", "district", "employer__district")


def applicant_applications(user: User) -> QuerySet[Application]:
    return Application.objects.filter(applicant=user).select_related("employer")


def with_reference(application: Application | None) -> Application | None:
    if application is not None:
        attach_reference([application], *_REFERENCE_FIELDS)
    return application


def open_application_for(*, user: User) -> Application | None:
    return with_reference(applicant_applications(user).filter(status__in=OPEN_STATUSES).first())


_ATTACHMENTS_OF = PreparedQuery(
    lambda *, application_id: (
        Attachment.objects.filter(application_id=application_id).select_related("document").order_by("created_at", "id")
    ),
    application_id=models.IntegerField(),
)


def attachments_of(application: Application) -> list[Attachment]:
    # Every wizard page reads them (the step list marks 附件上传 undone while one is missing).
    return attached_to(application, _ATTACHMENTS_OF.rows(application_id=application.pk))


def attached_to(application: Application, attachments: list[Attachment]) -> list[Attachment]:
    """The rows with their application set to this one, as application.attachments would set it
    (a prepared read has no related manager): reading it is then not a query per row."""
    for attachment in attachments:
        Attachment.application.field.set_cached_value(attachment, application)
    return attachments


_PERSONS_OF = PreparedQuery(
    lambda *, application_id: AccompanyingPerson.objects.filter(application_id=application_id),
    application_id=models.IntegerField(),
)


def with_persons(application: Application) -> Application:
    """The application with its 随迁人 read, as prefetch_related("accompanying_persons") reads them
    (the model's order, each person's application set back): the wizard, the submit's checks and
    the reviewer's page all count them, and a prepared read is not compiled on every call."""
    set_prefetched(application, "accompanying_persons", _PERSONS_OF.rows(application_id=application.pk))
    return application


def library_counts_by_kind(*, user: User) -> dict[str, int]:
    """How many 证件库 documents of each kind the user has (one grouped query)."""
    rows = LibraryDocument.objects.filter(owner=user).values("kind").annotate(n=Count("id")).order_by()
    return {row["kind"]: row["n"] for row in rows}


def library_documents_for(*, user: User, kind: str | None = None) -> QuerySet[LibraryDocument]:
    documents = LibraryDocument.objects.filter(owner=user).annotate(uses=Count("attachments"))
    if kind is not None:
        documents = documents.filter(kind=kind)
    return documents.order_by("kind", "-created_at")


def active_bar(*, applicant_id: int, on: datetime.date) -> ApplicantBar | None:
    """The 第十一条 bar in force on `on`, if any (the longest one when there are several)."""
    return (
        ApplicantBar.objects.filter(applicant_id=applicant_id, barred_from__lte=on, barred_until__gte=on)
        .order_by("-barred_until")
        .first()
    )


def categories_with_subcategories() -> list[TalentCategory]:
    subcategories = Prefetch(
        "subcategories", queryset=TalentSubcategory.objects.order_by("sort_order", "code")
    )
    return list(TalentCategory.objects.prefetch_related(subcategories).order_by("code"))


# --- the status page -----------------------------------------------------------------------------


# The status page's read, on every visit of an applicant: compiled once per process (core.prepared).
_STATUS_APPLICATIONS = PreparedQuery(
    lambda *, applicant_id: (
        # applicant_applications(user), by the id the call binds.
        Application.objects.filter(applicant_id=applicant_id)
        .select_related("employer")
        # service_rating: the page's rating panel reads it (review.selectors.rating_of), one
        # LEFT JOIN on a unique column instead of a query of its own.
        .select_related("notice_entry__notice", "service_rating")
        .order_by("-created_at", "-id")
    ),
    applicant_id=models.IntegerField(),
)


def applications_for_status(*, user: User) -> list[Application]:
    """All the user's applications, newest first, with notice dates and 好差评 (one query)."""
    applications = _STATUS_APPLICATIONS.rows(applicant_id=user.pk)
    attach_reference(applications, *_REFERENCE_FIELDS)
    return applications


@dataclass(frozen=True)
class TimelineItem:
    at: datetime.datetime
    title: str
    detail: str = ""
    items: list[str] = field(default_factory=list)
    is_problem: bool = False


_TITLES = {
    AuditAction.SUBMIT: _("提交申报"),
    AuditAction.WITHDRAW: _("撤回申报"),
    AuditAction.ACCEPT: _("区人社局受理"),
    AuditAction.AUTO_ACCEPT: _("区人社局受理（期限内未处理，系统自动受理）"),
    AuditAction.RETURN: _("退回补正"),
    AuditAction.REJECT: _("审核不通过"),
    AuditAction.APPROVE: _("审核通过，进入网上公示"),
    AuditAction.PUBLISH: _("公示期满，公布并核发电子入户信息卡"),
    AuditAction.UPHOLD_OBJECTION: _("公示异议成立，审核不通过"),
    AuditAction.SERVICE_RATING: _("评价办理服务（好差评）"),
}
# Decisions recorded without a status change (review.services, hukou_card.services): the audit
# vocabulary's own labels, so a new action shows under its real name rather than a generic one.
_EXTRA_TITLES = {
    **{action.value: action.label for action in AuditAction},
    AuditAction.OBJECTION_DISMISSED: _("公示异议经核查不成立"),
}
_PROBLEM_ACTIONS = {
    AuditAction.RETURN, AuditAction.REJECT, AuditAction.UPHOLD_OBJECTION, AuditAction.APPLICANT_BAR, AuditAction.CARD_CANCEL,
    AuditAction.CARD_EXPIRE,
}  # fmt: skip
# Staff-only notes, and entries the timeline already shows from the card itself (issued, used).
_HIDDEN_ACTIONS = {
    AuditAction.EMPLOYER_CONFIRMED, AuditAction.EMPLOYER_DISPUTED, AuditAction.NOTICE_CLOSED,
    AuditAction.CARD_ISSUE, AuditAction.CARD_USED,
}  # fmt: skip


def _split_items(reason: str) -> list[str]:
    return [item.strip() for item in reason.replace("\n", "；").split("；") if item.strip()]


def _correction_items(reason: str) -> list[str]:
    """The 退回补正 items of an audit row. The row numbers them ("1. …；2. …", review.services) so it
    reads on its own; the page lists them in an <ol>, which numbers them again: drop ours."""
    items = _split_items(reason)
    return [
        item.removeprefix(f"{number}.").strip() if item.startswith(f"{number}.") else item
        for number, item in enumerate(items, start=1)
    ]


def _date(value) -> str:
    return dateformat.format(value, gettext("Y年m月d日"))


_TIMELINE_ENTRIES = PreparedQuery(
    lambda *, application_id: AuditEntry.objects.filter(application_id=application_id).only(
        "action", "reason", "from_status", "to_status", "created_at"
    ),
    application_id=models.IntegerField(),
)


def timeline_for(application: Application) -> list[TimelineItem]:
    """Every step of the application with its date: the audit trail (one query) plus the card and
    hukou dates kept on the rows themselves."""
    entries = _TIMELINE_ENTRIES.rows(application_id=application.pk)
    notice = getattr(getattr(application, "notice_entry", None), "notice", None)
    items: list[TimelineItem] = []
    for entry in entries:
        if entry.action in _HIDDEN_ACTIONS:
            continue
        known = entry.action in _TITLES or entry.action in _EXTRA_TITLES
        title = _TITLES.get(entry.action) or _EXTRA_TITLES.get(entry.action) or gettext("办理记录")
        detail, listed = "", []
        if entry.action == AuditAction.SUBMIT:
            if entry.from_status == Status.RETURNED:
                title = gettext("补正后重新提交申报")
            detail = (
                gettext("申报编号：%(number)s") % {"number": application.number} if application.number else ""
            )
        elif entry.action == AuditAction.RETURN:
            listed = _correction_items(entry.reason)
            detail = gettext("请按以下事项修改后重新提交：") if listed else ""
        elif entry.action == AuditAction.APPROVE and notice is not None:
            detail = gettext("公示期：%(start)s 至 %(end)s") % {
                "start": _date(notice.start_date),
                "end": _date(notice.end_date),
            }
        elif entry.reason and entry.action != AuditAction.WITHDRAW and known:
            # An action this page does not know may carry a staff-only note: show its date only.
            detail = entry.reason
        items.append(
            TimelineItem(
                at=entry.created_at,
                title=title,
                detail=detail,
                items=listed,
                is_problem=entry.action in _PROBLEM_ACTIONS,
            )
        )
    main_card = next(
        (card for card in application.hukou_cards.all() if card.move_type == MoveType.MAIN),
        None,
    )
    if main_card is not None:
        items.append(
            TimelineItem(
                at=main_card.created_at,
                title=gettext("入户信息卡已签发"),
                detail=gettext("入户卡卡号：%(number)s，请于%(date)s前到公安部门办理入户")
                % {"number": main_card.number, "date": _date(main_card.valid_until)},
            )
        )
    if application.hukou_completed_at:
        items.append(
            TimelineItem(at=application.hukou_completed_at, title=gettext("公安部门办理入户手续完成"))
        )
    return sorted(items, key=lambda item: item.at)


PROCESS_STAGES = (
    _("个人网上申报"),
    _("区人力资源社会保障局审核"),
    _("网上公示"),
    _("公布、核发电子入户信息卡"),
    _("登录个人帐号下载入户卡"),
    _("个人到公安部门办理入户手续"),
)


@dataclass(frozen=True)
class Stage:
    label: str
    done: bool
    current: bool


def process_stages(application: Application, *, has_card: bool) -> list[Stage]:
    """The seed's 申报流程 line with the application's place on it."""
    status = application.status
    if application.hukou_completed_at:
        current = len(PROCESS_STAGES)
    elif status == Status.PUBLISHED:
        current = 4 if has_card else 3
    elif status == Status.IN_NOTICE:
        current = 2
    elif status in (Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED):
        current = 1
    elif status == Status.REJECTED:
        current = 1
    else:
        current = 0
    stopped = status in (Status.REJECTED, Status.WITHDRAWN)
    return [
        Stage(label=label, done=index < current, current=index == current and not stopped)
        for index, label in enumerate(PROCESS_STAGES)
    ]


# --- 申报进度查询 (public, no login) ----------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """All the public progress query tells: the state in words and the day it was reached."""

    state: str
    since: datetime.date


HUKOU_COMPLETED_LABEL = _("已办理入户手续")


def application_progress(*, year: int, employer_name: str, full_name: str, id_number: str) -> Progress | None:
    """The latest submitted application matching all four facts, or None; one query either way.

    Whether it is found or not, the same single indexed query runs (id_number is indexed), so the
    time taken tells nothing about which fact was wrong. A draft was never submitted: not found.
    """
    entered = (
        AuditEntry.objects.filter(application=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    row = (
        Application.objects.filter(
            year=year,
            id_number=id_number,
            full_name=full_name,
            employer__name=employer_name,
            submitted_at__isnull=False,
        )
        .annotate(entered_at=Subquery(entered))
        .order_by("-last_submitted_at", "-pk")
        .values("status", "entered_at", "last_submitted_at", "hukou_completed_at")
        .first()
    )
    if row is None:
        return None
    if row["status"] == Status.PUBLISHED and row["hukou_completed_at"]:
        return Progress(state=HUKOU_COMPLETED_LABEL, since=timezone.localdate(row["hukou_completed_at"]))
    # Every status change writes its audit row (applications.workflow); the submission time stands
    # in only for a row older than that rule.
    at = row["entered_at"] or row["last_submitted_at"]
    return Progress(state=Status(row["status"]).label, since=timezone.localdate(at))


def kind_label(kind: str) -> str:
    return AttachmentKind(kind).label


# --- the employer administrator's page -----------------------------------------------------------


def employer_applications(*, employer: Employer) -> QuerySet[Application]:
    return (
        Application.objects.filter(employer=employer, submitted_at__isnull=False)
        .exclude(status=Status.WITHDRAWN)
        .select_related("category", "subcategory", "district", "employer_confirmed_by")
        .order_by("-last_submitted_at", "-pk")
    )
