"""政务服务好差评: the applicant rates the handling once, after the decision; the district's reviewers
read their district's ratings, the city administrator every district's."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.choices import Status
from audit.actions import AuditAction
from audit.models import AuditEntry
from review.models import ServiceRating
from review.services import RatingRefused, service_rating_submit
from tests import factories
from tests.builders import build_application, give_access_reason

pytestmark = pytest.mark.django_db

RATINGS = reverse("review:ratings")


def _rate_url(application) -> str:
    return reverse("rating:rate", kwargs={"public_id": application.public_id})


def _status_url(application) -> str:
    return reverse("applications:status_detail", kwargs={"public_id": application.public_id})


@pytest.fixture
def rejected(applicant, reviewer):
    return build_application(Status.REJECTED, applicant=applicant, reviewer=reviewer)


# --- the service ----------------------------------------------------------------------------------


def test_applicant_rates_a_rejected_application_once(rejected):
    rating = service_rating_submit(
        application_id=rejected.pk,
        by=rejected.applicant,
        score=4,
        comment=" 答复及时 ",
        ip_address="10.0.0.8",
    )
    assert (rating.score, rating.comment, rating.outcome) == (4, "答复及时", Status.REJECTED)
    assert rating.district_id == rejected.district_id
    entry = AuditEntry.objects.get(application=rejected, action=AuditAction.SERVICE_RATING)
    assert entry.reason == "满意（4分）：答复及时"
    assert (entry.actor, entry.ip_address) == (rejected.applicant, "10.0.0.8")
    with pytest.raises(RatingRefused, match="每个申报只能评价一次"):
        service_rating_submit(application_id=rejected.pk, by=rejected.applicant, score=5)
    assert ServiceRating.objects.filter(application=rejected).count() == 1


def test_published_application_can_be_rated(applicant):
    app = build_application(Status.PUBLISHED, applicant=applicant, issue_cards=False)
    rating = service_rating_submit(application_id=app.pk, by=applicant, score=5)
    assert rating.outcome == Status.PUBLISHED


@pytest.mark.parametrize("state", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.RETURNED, Status.WITHDRAWN])
def test_no_rating_before_the_decision(state, applicant):
    app = build_application(state, applicant=applicant)
    with pytest.raises(RatingRefused, match="办理结果作出后"):
        service_rating_submit(application_id=app.pk, by=applicant, score=5)
    assert not ServiceRating.objects.exists()


def test_only_the_applicant_rates(rejected, other_applicant, reviewer):
    for user in (other_applicant, reviewer):
        with pytest.raises(RatingRefused, match="只有申请人本人"):
            service_rating_submit(application_id=rejected.pk, by=user, score=5)


@pytest.mark.parametrize("score", [1, 2])
def test_a_poor_rating_says_what_went_wrong(score, rejected):
    with pytest.raises(RatingRefused) as refused:
        service_rating_submit(application_id=rejected.pk, by=rejected.applicant, score=score, comment="  ")
    assert refused.value.field == "comment"
    assert "请填写原因" in refused.value.message
    rating = service_rating_submit(
        application_id=rejected.pk, by=rejected.applicant, score=score, comment="材料要求前后不一致"
    )
    assert rating.is_poor


@pytest.mark.parametrize("score", [0, 6, -1])
def test_score_outside_the_scale_is_refused(score, rejected):
    with pytest.raises(RatingRefused) as refused:
        service_rating_submit(application_id=rejected.pk, by=rejected.applicant, score=score)
    assert refused.value.field == "score"


def test_comment_longer_than_500_is_refused(rejected):
    with pytest.raises(RatingRefused) as refused:
        service_rating_submit(application_id=rejected.pk, by=rejected.applicant, score=5, comment="好" * 501)
    assert refused.value.field == "comment"


def _row(application, **fields):
    values = {
        "application": application,
        "district_id": application.district_id,
        "score": 5,
        "outcome": application.status,
        "rated_by": application.applicant,
        **fields,
    }
    return ServiceRating.objects.create(**values)


def test_database_keeps_one_rating_per_application(rejected):
    _row(rejected)
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(rejected, score=1)


@pytest.mark.parametrize("score", [0, 6])
def test_database_keeps_scores_between_1_and_5(score, rejected):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(rejected, score=score)


# --- the applicant's pages ------------------------------------------------------------------------


def test_status_page_offers_the_rating_after_the_decision_only(applicant_client, applicant):
    app = build_application(Status.UNDER_REVIEW, applicant=applicant)
    page = applicant_client.get(_status_url(app)).content.decode()
    assert "评价办理服务（好差评）" not in page
    assert applicant_client.get(_rate_url(app)).status_code == 302


def test_rating_from_the_status_page(applicant_client, rejected):
    page = applicant_client.get(_status_url(rejected)).content.decode()
    assert "评价办理服务（好差评）" in page and f'action="{_rate_url(rejected)}"' in page
    response = applicant_client.post(_rate_url(rejected), {"score": "5", "comment": "工作人员耐心"})
    assert response.status_code == 302 and response["Location"] == _status_url(rejected)
    page = applicant_client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in page
    assert "非常满意（5分）" in page and "工作人员耐心" in page
    assert "提交评价" not in page
    # Once: the form is gone and a second post is turned away with the reason.
    again = applicant_client.post(_rate_url(rejected), {"score": "1", "comment": "再评一次"}, follow=True)
    assert "每个申报只能评价一次" in again.content.decode()
    assert ServiceRating.objects.get(application=rejected).score == 5


def test_the_rating_is_on_the_applicants_record_and_the_reviewers_detail(
    applicant_client, login_client, rejected, reviewer
):
    applicant_client.post(_rate_url(rejected), {"score": "2", "comment": "电话一直无人接听"})
    page = applicant_client.get(_status_url(rejected)).content.decode()
    timeline = page.split('data-testid="timeline"')[1]
    assert "评价办理服务（好差评）" in timeline and "不满意（2分）：电话一直无人接听" in timeline
    reviewer_client = login_client(reviewer)
    give_access_reason(reviewer_client, rejected)  # a decided application: the reason comes first
    detail = reviewer_client.get(reverse("review:detail", args=[rejected.public_id])).content.decode()
    section = detail.split('data-testid="detail-rating"')[1].split("</section>")[0]
    assert "不满意（2分）" in section and "差评" in section and "电话一直无人接听" in section


def test_a_poor_rating_without_reason_keeps_the_choice_and_says_so_beside_the_field(
    applicant_client, rejected
):
    response = applicant_client.post(_rate_url(rejected), {"score": "1", "comment": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "评价为“不满意”或“非常不满意”的，请填写原因" in page
    form = response.context["form"]
    assert form.errors["comment"] and form["score"].value() == "1"
    assert 'value="1" checked' in page
    assert not ServiceRating.objects.exists()


def test_no_grade_chosen_keeps_the_comment(applicant_client, rejected):
    response = applicant_client.post(_rate_url(rejected), {"comment": "办理很快"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择评价等级。" in page and "办理很快</textarea>" in page


def test_a_refused_rating_never_reaches_the_next_blank_form_and_each_language_has_its_own(
    applicant_client, rejected
):
    # A blank form's fields are drawn once per process and language (review_tags.rating_fields).
    applicant_client.get(_status_url(rejected))
    refused = applicant_client.post(_rate_url(rejected), {"score": "1", "comment": ""}).content.decode()
    assert 'value="1" checked' in refused and "is-invalid" in refused
    page = applicant_client.get(_status_url(rejected)).content.decode()
    panel = page.split('id="service-rating"')[1].split("</section>")[0]
    assert "checked" not in panel and "is-invalid" not in panel and "非常满意（5分）" in panel
    applicant_client.cookies["django_language"] = "en"
    english = applicant_client.get(_status_url(rejected)).content.decode()
    panel = english.split('id="service-rating"')[1].split("</section>")[0]
    assert "非常满意" not in panel and "Very satisfied (5/5)" in panel


def test_another_users_application_is_404(login_client, rejected, other_applicant):
    client = login_client(other_applicant)
    assert client.get(_rate_url(rejected)).status_code == 404
    assert client.post(_rate_url(rejected), {"score": "5"}).status_code == 404
    assert not ServiceRating.objects.exists()


def test_staff_do_not_rate(login_client, rejected, reviewer):
    assert login_client(reviewer).post(_rate_url(rejected), {"score": "5"}).status_code == 403


# --- the console ----------------------------------------------------------------------------------


def _rated(district, *, score=5, comment="", status=Status.PUBLISHED):
    app = factories.ApplicationFactory(district=district, submitted=True, status=status)
    return _row(app, score=score, comment=comment)


def test_reviewer_reads_their_districts_ratings_only(reviewer_client, district, other_district):
    mine = _rated(district, score=2, comment="窗口答复含糊")
    theirs = _rated(other_district, score=5, comment="别区的评价")
    response = reviewer_client.get(RATINGS)
    assert response.status_code == 200
    page = response.content.decode()
    assert mine.application.number in page and "窗口答复含糊" in page
    assert theirs.application.number not in page and "别区的评价" not in page
    summary = response.context["summary"]
    assert (summary.count, summary.average, summary.good) == (1, 2.0, 0)
    assert response.context["districts"] is None


def test_city_administrator_reads_every_district_with_each_districts_figures(
    login_client, city_admin, district, other_district
):
    _rated(district, score=5)
    _rated(district, score=1, comment="等待太久")
    _rated(other_district, score=4)
    response = login_client(city_admin).get(RATINGS)
    summary = response.context["summary"]
    assert (summary.count, summary.good) == (3, 2)
    assert summary.average == pytest.approx(10 / 3)
    rows = {row.district.code: row for row in response.context["districts"]}
    assert len(rows) == 11  # every district, rated or not
    assert (rows[district.code].count, rows[district.code].poor, rows[district.code].average) == (2, 1, 3.0)
    assert (rows[other_district.code].count, rows["440103"].count) == (1, 0)
    only_poor = login_client(city_admin).get(RATINGS, {"score": "poor"})
    assert [row.comment for row in only_poor.context["rows"]] == ["等待太久"]
    in_other = login_client(city_admin).get(RATINGS, {"district": other_district.pk})
    assert [row.score for row in in_other.context["rows"]] == [4]


def test_applicants_and_strangers_do_not_read_ratings(client, login_client, applicant):
    assert client.get(RATINGS).status_code == 302
    assert login_client(applicant).get(RATINGS).status_code == 403


@pytest.mark.parametrize("who", ["reviewer", "city_admin"])
def test_ratings_page_query_count_does_not_grow_with_rows(
    who, request, login_client, district, other_district
):
    client = login_client(request.getfixturevalue(who))
    client.get(RATINGS)  # session renewal and the reference cache

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(RATINGS).status_code == 200
        return len(queries)

    _rated(district)
    few = count()
    for index in range(12):
        _rated((district, other_district)[index % 2], score=index % 5 + 1, comment="评价")
    assert count() == few
    # Session and user, the summary, (the city's per-district figures,) the page's count and rows.
    assert few <= (5 if who == "reviewer" else 6)


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_status_page_reads_the_rating_with_the_application(applicant_client, rejected):
    """Issue 15: the rating panel reads the 好差评 loaded with the applications (a join on the
    unique one-to-one column), so a rated application's page costs no query more than before."""
    url = reverse("applications:status")
    applicant_client.get(url)  # the session renewal and the reference cache, once
    with CaptureQueriesContext(connection) as unrated:
        assert "提交评价" in applicant_client.get(url).content.decode()
    applicant_client.post(_rate_url(rejected), {"score": "4", "comment": "答复及时"})
    with CaptureQueriesContext(connection) as rated:
        page = applicant_client.get(url).content.decode()
    assert "满意（4分）" in page and "答复及时" in page and "提交评价" not in page
    assert len(_statements(rated)) == len(_statements(unrated))
    assert not any("review_servicerating" in sql.split(" FROM ")[1][:40] for sql in _statements(rated))
