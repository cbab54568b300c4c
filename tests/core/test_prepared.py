"""core.prepared: a queryset compiled once answers each call with that call's values, as the
ordinary queryset would, and a builder whose SQL depends on a bound value is caught."""

import datetime
import threading
import uuid

import pytest
from django.db import connection, connections, models, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application
from core.prepared import PreparedQuery, PreparedQueryMismatch, same_statement
from tests.factories import AccompanyingPersonFactory, ApplicationFactory

pytestmark = pytest.mark.django_db(transaction=False)


def by_applicant_and_id(*, applicant_id, public_id):
    return (
        Application.objects.filter(applicant_id=applicant_id, public_id=public_id)
        .select_related("employer")
        .prefetch_related("accompanying_persons")
    )


def test_each_call_answers_with_its_own_values_from_one_compile(monkeypatch):
    first, second = ApplicationFactory(), ApplicationFactory()
    person = AccompanyingPersonFactory(application=second)
    prepared = PreparedQuery(
        by_applicant_and_id, applicant_id=models.IntegerField(), public_id=models.UUIDField()
    )
    compiles = []
    build = prepared._build
    monkeypatch.setattr(prepared, "_build", lambda **values: compiles.append(values) or build(**values))
    monkeypatch.setattr("django.conf.settings.PREPARED_STRICT", False)

    found = prepared.one_or_none(applicant_id=first.applicant_id, public_id=first.public_id)
    with CaptureQueriesContext(connection) as ctx:
        again = prepared.one_or_none(applicant_id=second.applicant_id, public_id=second.public_id)

    assert found.pk == first.pk and again.pk == second.pk
    assert len(compiles) == 1  # the second call built and compiled nothing
    # The joined row and the prefetched 随迁人 come with it: two statements, nothing read later.
    assert len(ctx.captured_queries) == 2
    with CaptureQueriesContext(connection) as later:
        assert again.employer.name == second.employer.name
        assert [p.pk for p in again.accompanying_persons.all()] == [person.pk]
    assert later.captured_queries == []


def test_another_applicants_id_finds_nothing():
    mine, theirs = ApplicationFactory(), ApplicationFactory()
    prepared = PreparedQuery(
        by_applicant_and_id, applicant_id=models.IntegerField(), public_id=models.UUIDField()
    )
    assert prepared.one_or_none(applicant_id=mine.applicant_id, public_id=mine.public_id).pk == mine.pk
    assert prepared.one_or_none(applicant_id=mine.applicant_id, public_id=theirs.public_id) is None
    assert prepared.one_or_none(applicant_id=mine.applicant_id, public_id=uuid.uuid4()) is None


def test_a_shape_value_is_part_of_the_key_and_reaches_the_builder():
    submitted = ApplicationFactory(submitted_at=timezone.now())
    # A closed one of an earlier year (one open application per applicant), never submitted.
    draft = ApplicationFactory(applicant=submitted.applicant, year=submitted.year - 1, status="withdrawn")

    def build(*, only_submitted, applicant_id):
        rows = Application.objects.filter(applicant_id=applicant_id).order_by("pk")
        return rows.filter(submitted_at__isnull=False) if only_submitted else rows

    prepared = PreparedQuery(build, applicant_id=models.IntegerField())
    everything = prepared.rows(only_submitted=False, applicant_id=submitted.applicant_id)
    submitted_only = prepared.rows(only_submitted=True, applicant_id=submitted.applicant_id)
    assert [a.pk for a in everything] == sorted([submitted.pk, draft.pk])
    assert [a.pk for a in submitted_only] == [submitted.pk]


def test_a_builder_that_branches_on_a_bound_value_is_refused_under_strict(settings):
    application = ApplicationFactory()

    def build(*, applicant_id):
        # Wrong: a Param is never None, so the prepared SQL always has the filter.
        rows = Application.objects.all()
        return rows if applicant_id is None else rows.filter(applicant_id=applicant_id)

    prepared = PreparedQuery(build, applicant_id=models.IntegerField())
    settings.PREPARED_STRICT = True
    assert [a.pk for a in prepared.rows(applicant_id=application.applicant_id)] == [application.pk]
    with pytest.raises(PreparedQueryMismatch):
        prepared.rows(applicant_id=None)


@pytest.mark.postgres  # SQLite's in-memory test database is not another thread's to open
def test_another_thread_runs_the_statement_on_its_own_connection():
    application = ApplicationFactory()
    prepared = PreparedQuery(
        by_applicant_and_id, applicant_id=models.IntegerField(), public_id=models.UUIDField()
    )
    prepared.rows(applicant_id=application.applicant_id, public_id=application.public_id)  # compiled here
    seen = {}

    def other_thread():
        try:
            with CaptureQueriesContext(connections["default"]) as ctx:
                seen["rows"] = prepared.rows(applicant_id=0, public_id=application.public_id)
            seen["queries"] = len(ctx.captured_queries)
            seen["connection"] = connections["default"]
        finally:
            connections.close_all()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert seen["rows"] == [] and seen["queries"] == 1
    assert seen["connection"] is not connection


@pytest.mark.django_db(
    transaction=True
)  # autocommit between the statements, as outside a request's atomic block
def test_a_locking_read_outside_a_transaction_is_refused_as_django_refuses_it():
    application = ApplicationFactory()
    locked = PreparedQuery(
        lambda *, application_id: Application.objects.select_for_update().filter(pk=application_id),
        application_id=models.IntegerField(),
    )
    with transaction.atomic():
        assert locked.one_or_none(application_id=application.pk).pk == application.pk
    with pytest.raises(TransactionManagementError):
        locked.one_or_none(application_id=application.pk)


def ordinary_statement(queryset) -> str:
    return same_statement(queryset.query.get_compiler(using="default").as_sql()[0])


def test_the_applicants_prepared_reads_are_the_selector_they_were_written_from():
    """Written out again with Params, each must stay what applicant_applications(user) reads: a
    filter added there (and not here) would fail this test instead of showing another's rows."""
    from applications import access as applications_access
    from applications import selectors

    application = ApplicationFactory()
    own = selectors.applicant_applications(application.applicant).filter(public_id=application.public_id)
    assert applications_access._OWN_APPLICATION.statement() == ordinary_statement(own)
    status = selectors.applicant_applications(application.applicant).select_related(
        "notice_entry__notice", "service_rating"
    )
    assert selectors._STATUS_APPLICATIONS.statement() == ordinary_statement(
        status.order_by("-created_at", "-id")
    )


def test_set_prefetched_leaves_the_rows_as_prefetch_related_leaves_them():
    """applications.selectors.with_persons reads the 随迁人 with a prepared query and sets them
    where prefetch_related would: the same rows in the same order, each with its application, and
    the manager's own queryset methods still work on them."""
    from applications.models import AccompanyingPerson
    from applications.selectors import with_persons

    application = ApplicationFactory()
    AccompanyingPersonFactory(application=ApplicationFactory())  # another application's
    later = AccompanyingPersonFactory(application=application)
    earlier = AccompanyingPersonFactory(application=application)
    AccompanyingPerson.objects.filter(pk=earlier.pk).update(created_at=later.created_at - datetime.timedelta(days=1))
    ordinary = Application.objects.prefetch_related("accompanying_persons").get(pk=application.pk)

    prepared = with_persons(Application.objects.get(pk=application.pk))

    with CaptureQueriesContext(connection) as ctx:
        rows = list(prepared.accompanying_persons.all())
        assert [p.pk for p in rows] == [p.pk for p in ordinary.accompanying_persons.all()] == [earlier.pk, later.pk]
        assert all(p.application is prepared for p in rows)
        assert prepared.accompanying_persons.count() == 2
    assert ctx.captured_queries == []
    # Read again (the page's second look after a write): the new rows replace the old.
    AccompanyingPerson.objects.filter(pk=later.pk).delete()
    assert [p.pk for p in with_persons(prepared).accompanying_persons.all()] == [earlier.pk]
