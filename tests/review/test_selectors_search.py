"""Queue search: whole numbers are exact index look-ups, everything else searches fragments."""

import pytest

from applications.choices import Status
from review.selectors import QueueFilters, review_queue
from tests.builders import build_application
from tests.factories import ReviewerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    first = build_application(Status.UNDER_REVIEW, full_name="欧阳小明")
    second = build_application(Status.UNDER_REVIEW, full_name="张小三")
    return first, second


def found(query, today):
    reviewer = ReviewerFactory()
    return set(review_queue(user=reviewer, filters=QueueFilters(status="all", query=query), today=today))


def test_whole_id_number_is_matched_exactly_whatever_the_case(rows):
    first, second = rows
    import datetime

    today = datetime.date.today()
    assert found(first.id_number.lower(), today) == {first}
    assert found(first.id_number[:-1], today) == set()  # a fragment of an ID number finds nothing


def test_application_number_exact_and_fragment(rows):
    import datetime

    first, second = rows
    today = datetime.date.today()
    assert found(first.number, today) == {first}
    assert found(first.number[-6:], today) == {first}


def test_name_fragment(rows):
    import datetime

    first, second = rows
    assert found("小", datetime.date.today()) == {first, second}
    assert found("欧阳", datetime.date.today()) == {first}
