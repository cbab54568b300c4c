"""申报进度查询 (/services/progress/): four facts and a captcha → the state in words and its date,
nothing more; one answer for any wrong combination, at the same cost; throttled per address."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.choices import Status
from applications.public_views import NOT_FOUND
from hukou_card.services import card_record_used
from tests.builders import REJECT_REASON, RETURN_ITEMS, build_application
from tests.factories import PoliceFactory

pytestmark = pytest.mark.django_db

URL = "/services/progress/"


def facts(app, **overrides) -> dict:
    data = {
        "year": str(app.year),
        "employer_name": app.employer.name,
        "full_name": app.full_name,
        "id_number": app.id_number,
        "captcha_0": "test-key",
        "captcha_1": "PASSED",
    }
    return {**data, **overrides}


def query(client, app=None, **overrides):
    return client.post(URL, facts(app, **overrides) if app is not None else overrides)


def shown(response) -> tuple[str, str]:
    html = response.content.decode()
    assert 'data-testid="progress-result"' in html, html[-3000:]
    state = html.split('data-testid="progress-state">', 1)[1].split("<", 1)[0]
    date = html.split('data-testid="progress-date">', 1)[1].split("<", 1)[0]
    return state, date


def today_cn() -> str:
    return f"{timezone.localdate():%Y年%m月%d日}"


def test_the_page_needs_no_login_and_asks_four_facts_and_a_captcha(client):
    html = client.get(URL).content.decode()
    for label in ("申报年度", "单位名称", "姓名", "证件号码", "验证码", "查询"):
        assert label in html


@pytest.mark.parametrize(
    ("state", "words"),
    [
        (Status.SUBMITTED, "已提交，待区人社局受理"),
        (Status.UNDER_REVIEW, "区人社局审核中"),
        (Status.RETURNED, "退回补正"),
        (Status.IN_NOTICE, "网上公示中"),
        (Status.REJECTED, "审核不通过"),
        (Status.WITHDRAWN, "已撤回"),
    ],
)
def test_the_state_in_words_and_the_day_it_was_reached(client, state, words):
    app = build_application(state)
    response = query(client, app)
    assert response.status_code == 200
    assert shown(response) == (words, today_cn())


def test_nothing_more_than_the_state_and_its_date(client):
    returned = build_application(Status.RETURNED)
    rejected = build_application(Status.REJECTED)
    for app, private in ((returned, RETURN_ITEMS[0]), (rejected, REJECT_REASON)):
        html = query(client, app).content.decode()
        assert private not in html
        assert app.number not in html
        assert app.district.name not in html


def test_a_published_application_says_so_on_its_publication_day(client):
    app = build_application(Status.PUBLISHED, issue_cards=False)
    assert shown(query(client, app)) == ("已公布，核发入户信息卡", today_cn())


def test_a_completed_hukou_move_is_the_last_state(client):
    app = build_application(Status.PUBLISHED)
    main_card = app.hukou_cards.get(move_type="主迁")
    card_record_used(card_id=main_card.pk, by=PoliceFactory())
    assert shown(query(client, app)) == ("已办理入户手续", today_cn())


def test_a_draft_is_not_an_application_yet(client):
    app = build_application(Status.DRAFT)
    response = query(client, app)
    assert NOT_FOUND in response.content.decode()
    assert 'data-testid="progress-result"' not in response.content.decode()


def test_spelling_the_id_number_and_spaces_do_not_matter(client):
    app = build_application(Status.SUBMITTED)
    typed = {"id_number": f" {app.id_number.lower()} ", "employer_name": f"  {app.employer.name} "}
    assert shown(query(client, app, **typed))[0] == "已提交，待区人社局受理"


@pytest.mark.parametrize("wrong", ["year", "employer_name", "full_name", "id_number"])
def test_any_wrong_fact_gets_the_same_answer_at_the_same_cost(client, wrong):
    app = build_application(Status.UNDER_REVIEW)
    other = {"year": str(app.year - 1), "employer_name": "广州某某有限公司", "full_name": "李四",
             "id_number": "11010519491231002X"}[wrong]  # fmt: skip
    with CaptureQueriesContext(connection) as found:
        query(client, app)
    with CaptureQueriesContext(connection) as missed:
        response = query(client, app, **{wrong: other})
    html = response.content.decode()
    assert response.status_code == 200
    error = html.split('data-testid="progress-error">', 1)[1].split("</div>", 1)[0]
    assert NOT_FOUND in error and error.count("<p") == 1  # one message, naming no field
    assert "is-invalid" not in html
    assert len(found) == len(missed)
    lookups = [q["sql"] for q in missed.captured_queries if '"applications_application"' in q["sql"]]
    assert len(lookups) == 1
    # Nothing typed is lost: each value comes back in its box.
    assert f'value="{other}"' in html or f'<option value="{other}" selected' in html


def test_query_count(client, django_assert_num_queries):
    app = build_application(Status.SUBMITTED)
    # The captcha used up (its row: the test key has none, so no delete), the one lookup, the next
    # captcha stored for the page.
    with django_assert_num_queries(3):
        query(client, app)
    with django_assert_num_queries(1):  # the page's captcha
        client.get(URL)


def test_missing_facts_are_named_beside_their_fields(client):
    response = client.post(URL, {"year": "", "employer_name": " ", "full_name": "", "id_number": "",
                                 "captcha_0": "k", "captcha_1": ""})  # fmt: skip
    html = response.content.decode()
    for message in ("请选择申报年度。", "请填写单位名称。", "请填写姓名。", "请填写证件号码。", "请输入验证码。"):
        assert message in html
    assert NOT_FOUND not in html


def test_a_wrong_captcha_is_said_beside_it_and_nothing_is_looked_up(client):
    app = build_application(Status.SUBMITTED)
    with CaptureQueriesContext(connection) as queries:
        response = query(client, app, captcha_1="WRONG")
    html = response.content.decode()
    assert "验证码错误" in html
    assert 'data-testid="progress-result"' not in html
    assert not [q for q in queries.captured_queries if '"applications_application"' in q["sql"]]
    assert f'value="{app.employer.name}"' in html


def test_attempts_are_throttled_per_address(client, settings):
    settings.PROGRESS_QUERY_THROTTLE_PER_ADDRESS = 3
    app = build_application(Status.SUBMITTED)
    for _ in range(3):
        assert query(client, app, full_name="李四").status_code == 200
    response = query(client, app)
    assert response.status_code == 429
    assert "查询过于频繁，请15分钟后再试。" in response.content.decode()
    assert 'data-testid="progress-result"' not in response.content.decode()
    assert int(response["Retry-After"]) > 0
    # Another address is not held up.
    other = client.post(URL, facts(app), REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200 and shown(other)[0] == "已提交，待区人社局受理"
