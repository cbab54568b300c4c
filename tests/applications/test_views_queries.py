"""Query counts: the wizard pages and the status page cost the same whatever the number of
attachments, 随迁人, applications or timeline rows (no query per row)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.choices import AttachmentKind, Relation, Status
from tests.factories import (
    AccompanyingPersonFactory,
    ApplicationFactory,
    AttachmentFactory,
    AuditEntryFactory,
    LibraryDocumentFactory,
    years_ago,
)

pytestmark = pytest.mark.django_db

# 2 for every request (session, user with district; the session is renewed at most once a minute,
# see warm_up), then the application (with category, district, employer), its 随迁人, its
# attachments with their documents, and the page's own reads (证件库 counts, bar and grant checks).
WIZARD_MAX_QUERIES = 7
STATUS_MAX_QUERIES = 5
STEPS = ("commitment", "declaration", "category", "personal", "family", "attachments", "confirm")


def grow(application, *, persons: int, attachments: int):
    for _ in range(persons):
        AccompanyingPersonFactory(application=application, relation=Relation.SON, birth_date=years_ago(5))
        AttachmentFactory(application=application, kind=AttachmentKind.CHILD_HOUSEHOLD)
        AttachmentFactory(application=application, kind=AttachmentKind.CHILD_BIRTH_CERT)
    for index in range(attachments):
        kind = (AttachmentKind.OTHER, AttachmentKind.OTHER_QUALIFICATION)[index % 2]
        AttachmentFactory(application=application, kind=kind)
        LibraryDocumentFactory(owner=application.applicant, kind=AttachmentKind.ID_CARD)


@pytest.fixture(autouse=True)
def warm_up(applicant_client):
    """The first page after login renews the session (one write) and fills the reference cache
    (categories, districts: applications.reference); the counts are per page view after that."""
    applicant_client.get(reverse("applications:status"))


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("step", STEPS)
def test_wizard_page_query_count_is_fixed(step, applicant_client, applicant, django_assert_max_num_queries):
    application = ApplicationFactory(applicant=applicant)
    for kind in (
        "id_card",
        "household_register",
        "education_cert",
        "education_verification",
        "degree_cert",
        "degree_verification",
    ):
        AttachmentFactory(application=application, kind=kind)
    url = reverse("applications:step", kwargs={"public_id": application.public_id, "step": step})
    applicant_client.get(url)  # the step's own cached reference lists (the districts of 个人信息)
    small = count(applicant_client, url)
    grow(application, persons=2, attachments=2)
    middle = count(applicant_client, url)
    grow(application, persons=4, attachments=12)
    with django_assert_max_num_queries(WIZARD_MAX_QUERIES):
        applicant_client.get(url)
    assert count(applicant_client, url) == middle >= small


def test_status_page_query_count_is_fixed(applicant_client, applicant, django_assert_max_num_queries):
    url = reverse("applications:status")

    def add_history(n):
        for _ in range(n):
            old = ApplicationFactory(applicant=applicant, submitted=True, status=Status.WITHDRAWN)
            AuditEntryFactory(application=old)
        current = applicant.applications.filter(status=Status.UNDER_REVIEW).first()
        for _ in range(n * 3):
            AuditEntryFactory(
                application=current, action="accept", from_status="submitted", to_status="under_review"
            )

    ApplicationFactory(applicant=applicant, submitted=True, status=Status.UNDER_REVIEW)
    add_history(1)
    few = count(applicant_client, url)
    add_history(8)
    with django_assert_max_num_queries(STATUS_MAX_QUERIES):
        applicant_client.get(url)
    assert count(applicant_client, url) == few


def test_library_page_query_count_is_fixed(applicant_client, applicant, django_assert_max_num_queries):
    url = reverse("applications:library")
    LibraryDocumentFactory(owner=applicant)
    few = count(applicant_client, url)
    for _ in range(10):
        LibraryDocumentFactory(owner=applicant, kind=AttachmentKind.OTHER)
    with django_assert_max_num_queries(3):
        applicant_client.get(url)
    assert count(applicant_client, url) == few


# A valid 个人信息 POST (下一步): the session user, the application (with its employer), then the
# row locked and the one saving UPDATE (issue 15: ≤ 8 per page whatever the data, with sessions
# read from Redis as production runs; the plain database session engine of a run without Redis
# reads the session row too). It redirects, so nothing a page would show is read: no 随迁人, no
# attachments; the employer kept is the one read with the application, and the district is
# checked against the reference lists, not the database.
PERSONAL_POST_MAX_QUERIES = 4


def session_reads() -> int:
    from django.conf import settings

    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def test_personal_step_valid_post_runs_a_bounded_number_of_queries(applicant_client, applicant):
    from tests.applications.test_views_wizard import personal_data
    from tests.factories import EmployerFactory

    application = ApplicationFactory(applicant=applicant)
    employer = EmployerFactory()
    url = reverse("applications:step", kwargs={"public_id": application.public_id, "step": "personal"})
    applicant_client.post(url, personal_data(application, employer))  # the first save of the step
    grow(application, persons=3, attachments=6)
    with CaptureQueriesContext(connection) as queries:
        response = applicant_client.post(url, personal_data(application, employer, major="高分子材料"))
    assert response.status_code == 302, response.content.decode()[:500]
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) <= PERSONAL_POST_MAX_QUERIES + session_reads(), "\n".join(statements)
    for table in (
        "accounts_employer",
        "portal_district",
        "applications_attachment",
        "applications_accompanyingperson",
    ):
        assert not any(f'FROM "{table}"' in sql for sql in statements), table
    application.refresh_from_db()
    assert application.major == "高分子材料"
    assert application.employer == employer


def test_personal_step_post_looks_up_a_newly_chosen_employer(applicant_client, applicant):
    from tests.applications.test_views_wizard import personal_data
    from tests.factories import EmployerFactory

    application = ApplicationFactory(applicant=applicant)
    first, chosen = EmployerFactory(), EmployerFactory()
    url = reverse("applications:step", kwargs={"public_id": application.public_id, "step": "personal"})
    applicant_client.post(url, personal_data(application, first))
    with CaptureQueriesContext(connection) as queries:
        response = applicant_client.post(url, personal_data(application, chosen))
    assert response.status_code == 302
    assert sum(1 for q in queries.captured_queries if 'FROM "accounts_employer"' in q["sql"]) == 1
    application.refresh_from_db()
    assert application.employer == chosen


# 提交 (issue 15: p50 <= 30 ms): the session user, the application's id (the 404), then in the
# service's transaction the row locked, its 随迁人, the 第十一条 bar, this year's rejections (the
# 再次申报权限 rule), the attachments, the UPDATE, the audit row and the notification's outbox row.
# The 具体类别 and 区 come from the reference cache and the applicant is the session user, so none
# of them is read; the 随迁人 are read once for the three rules that count them.
SUBMIT_MAX_QUERIES = 10


def _ready(applicant, *, children: int):
    from applications.eligibility import required_attachment_kinds

    application = ApplicationFactory(applicant=applicant)
    for _ in range(children):
        AccompanyingPersonFactory(application=application, relation=Relation.SON, birth_date=years_ago(5))
    per_child = {AttachmentKind.CHILD_HOUSEHOLD, AttachmentKind.CHILD_BIRTH_CERT}
    for kind in required_attachment_kinds(application):
        for _ in range(children if kind in per_child else 1):
            AttachmentFactory(application=application, kind=kind)
    return application


def _submit_statements(client, application) -> list[str]:
    client.force_login(application.applicant, backend="django.contrib.auth.backends.ModelBackend")
    client.get(reverse("applications:status"))  # the session renewed, as on the page before
    url = reverse("applications:submit", args=[application.public_id])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url)
    assert response.status_code == 302, response.content.decode()[:500]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_submit_runs_a_fixed_number_of_statements(client, applicant, other_applicant):
    from tests.factories import UserFactory

    # The first submit of the process reads the holiday overrides into its cache (reference.workdays).
    _submit_statements(client, _ready(UserFactory(), children=0))
    # One open application per applicant: each count is another applicant's.
    alone = _submit_statements(client, _ready(applicant, children=0))
    statements = _submit_statements(client, _ready(other_applicant, children=3))

    assert len(statements) == len(alone) <= SUBMIT_MAX_QUERIES + session_reads(), "\n".join(statements)

    def reads_of(table: str) -> int:
        return sum(1 for sql in statements if sql.startswith("SELECT") and f'FROM "{table}"' in sql)

    # Its id (the 404), the row locked, and the count of this year's rejections: the row once.
    assert reads_of("applications_application") == 3
    assert reads_of("applications_accompanyingperson") == 1
    assert reads_of("applications_attachment") == 1
    assert reads_of("applications_talentsubcategory") == reads_of("portal_district") == 0
    assert reads_of("accounts_user") == 1  # the session's user, who is the applicant
