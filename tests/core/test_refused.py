"""A `Refused` that no view turned into a field message is answered 409 with its message, by the
one middleware, as a page with the way back or as JSON for a script: never a server error."""

import pytest
from django.test import Client, override_settings

from applications.services import ApplicationNotEditable, SubmissionRefused
from applications.workflow import TransitionNotAllowed
from core.errors import Refused
from hukou_card.services import CardActionRefused, CardIssueRefused
from quota.services import QuotaUnavailable
from review.services import DecisionRefused

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.refusing_urls")]


def test_a_refusal_is_a_409_page_with_every_reason_and_the_way_back():
    client = Client(raise_request_exception=False)
    response = client.get("/refuses/", HTTP_REFERER="http://testserver/talent/status/")
    assert response.status_code == 409
    html = response.content.decode()
    assert "操作未能完成" in html
    assert "该申报已提交，不能再修改。" in html and "请在申报进度中查看。" in html
    assert 'href="http://testserver/talent/status/"' in html


def test_the_way_back_never_leads_to_another_site():
    response = Client().get("/refuses/", HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 409
    assert "evil.example" not in response.content.decode()


def test_a_script_gets_the_refusal_as_json():
    response = Client().get("/refuses/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 409
    assert response.json() == {"ok": False, "message": "该申报已提交，不能再修改。；请在申报进度中查看。"}


@override_settings(DEBUG=False)
def test_every_refusal_of_every_package_is_one_family():
    for kind in (
        ApplicationNotEditable,
        SubmissionRefused,
        TransitionNotAllowed,
        DecisionRefused,
        CardIssueRefused,
        CardActionRefused,
        QuotaUnavailable,
    ):
        assert issubclass(kind, Refused), kind
        refusal = kind("不行")
        assert refusal.message == "不行" and refusal.messages == ["不行"]
