"""On PostgreSQL the values are bound on the server and psycopg prepares a statement on its
connection after five runs (config/settings.py, DATABASES): a page's statements are then planned
once per connection, not on every request, whatever values each request brings."""

import pytest
from django.db import connection

from applications.models import Application

# Prepared statements belong to a connection, and the suite's earlier tests ran on this one:
# each test starts on a new connection (outside a test transaction, so it may close it).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def new_connection():
    connection.close()
    yield
    connection.close()


def _prepared_runs(*fragments: str) -> list[tuple[str, int]]:
    """Statements prepared on this connection that contain every fragment, with how often each
    ran prepared."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return [(sql, runs) for sql, runs in cursor.fetchall() if all(part in sql for part in fragments)]


def test_the_same_statement_with_other_values_is_prepared_after_five_runs():
    numbers = [f"GZ-TEST-{n}" for n in range(9)]
    for number in numbers[:5]:
        assert list(Application.objects.filter(number=number)) == []
    assert _prepared_runs('"applications_application"', '"number" = $1') == []  # five: not yet

    for number in numbers[5:]:
        assert list(Application.objects.filter(number=number)) == []
    ((statement, runs),) = _prepared_runs('"applications_application"', '"number" = $1')
    assert "GZ-TEST" not in statement  # one text for every value: the values travel apart
    assert runs == 4  # the sixth run prepared it; it and the three after ran the prepared plan


def test_a_prepared_statement_answers_for_each_value_it_is_given():
    from tests.factories import ApplicationFactory

    wanted = [ApplicationFactory(number=f"GZ-P-{n}") for n in range(3)]

    def pk_of(number: str) -> int | None:
        return Application.objects.filter(number=number).values_list("pk", flat=True).first()

    assert [pk_of("none") for _ in range(5)] == [None] * 5  # up to the threshold
    assert [pk_of(f"GZ-P-{n}") for n in range(3)] == [application.pk for application in wanted]
    ((_, runs),) = _prepared_runs('"applications_application"', '"number" = $1', "LIMIT 1")
    assert runs == 3
