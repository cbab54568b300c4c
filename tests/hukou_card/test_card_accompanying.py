"""A 随迁人's card prints the person's own 民族, 婚姻状况 and 原户口 (issue 12, defect 7), the
applicant's 原户口 only where 与主迁人相同 was chosen, and 无 for a row from before they were asked."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from applications.choices import Relation, Status
from applications.models import AccompanyingPerson
from hukou_card import services
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

SPOUSE_OFFICE = "广西壮族自治区南宁市公安局青秀分局"
SPOUSE_ADDRESS = "广西壮族自治区南宁市青秀区民族大道100号"


@pytest.fixture
def cards():
    application = build_application(
        Status.PUBLISHED,
        subcategory="3.2",
        family=[
            (
                "周敏",
                factories.make_resident_id(factories.years_ago(33), male=False),
                Relation.SPOUSE,
                {
                    "ethnicity": "壮族",
                    "hukou_same_as_applicant": False,
                    "original_registry_office": SPOUSE_OFFICE,
                    "original_hukou_address": SPOUSE_ADDRESS,
                },
            ),
            ("林小满", factories.make_resident_id(datetime.date(2017, 5, 1), male=False), Relation.DAUGHTER),
        ],
        issue_cards=False,
    )
    main, spouse, daughter = services.cards_issue_for_application(application_id=application.pk)
    return application, main, spouse, daughter


def _pdf_text(card) -> str:
    with card.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return re.sub(r"\s+", "", reader.pages[0].extract_text())


def test_spouse_card_carries_her_own_ethnicity_marriage_and_hukou(cards):
    application, _main, spouse, _daughter = cards
    data = services.card_data(spouse)
    assert (data.ethnicity, data.marital_status) == ("壮族", "已婚")
    assert (data.original_registry_office, data.original_hukou_address) == (SPOUSE_OFFICE, SPOUSE_ADDRESS)
    text = _pdf_text(spouse)
    assert "民族壮族婚姻状况已婚" in text
    assert f"原户口登记机关{SPOUSE_OFFICE}" in text
    assert f"原户口所在地{SPOUSE_ADDRESS}" in text
    assert application.original_registry_office not in text


def test_child_card_with_same_as_applicant_prints_the_applicants_hukou(cards):
    application, _main, _spouse, daughter = cards
    data = services.card_data(daughter)
    assert (data.ethnicity, data.marital_status) == ("汉族", "未婚")
    assert data.original_registry_office == application.original_registry_office
    assert data.original_hukou_address == application.original_hukou_address
    text = _pdf_text(daughter)
    assert f"原户口登记机关{application.original_registry_office}" in text
    assert "民族汉族婚姻状况未婚" in text


def test_a_row_from_before_the_details_were_asked_prints_none_not_a_guess(cards):
    application, _main, spouse, _daughter = cards
    AccompanyingPerson.objects.filter(pk=spouse.accompanying_person_id).update(
        ethnicity="", hukou_same_as_applicant=False, original_registry_office="", original_hukou_address=""
    )
    spouse.refresh_from_db()
    data = services.card_data(spouse)
    assert (data.ethnicity, data.original_registry_office, data.original_hukou_address) == ("无", "无", "无")
    assert data.marital_status == "已婚"  # derived from the relation, never missing


def test_same_as_applicant_reads_the_loaded_application_no_extra_query(cards, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _application, _main, spouse, daughter = cards

    def fetch(card):
        return (
            type(card)
            .objects.select_related("application__district", "accompanying_person", "main_card")
            .get(pk=card.pk)
        )

    own, same = fetch(spouse), fetch(daughter)
    with CaptureQueriesContext(connection) as own_queries:
        services.card_data(own)
    with django_assert_num_queries(len(own_queries)):
        assert services.card_data(same).original_hukou_address == same.application.original_hukou_address
