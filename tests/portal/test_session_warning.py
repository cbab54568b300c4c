"""The session warning sends people back to the login they came through."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_applicant_is_sent_to_the_portal_login(applicant_client):
    page = applicant_client.get(reverse("portal:home")).content.decode()
    assert f'data-login-url="{reverse("accounts:login")}"' in page
    assert 'data-session-age="' in page


def test_reviewer_is_sent_to_the_console_login(reviewer_client):
    page = reviewer_client.get(reverse("review:queue")).content.decode()
    assert f'data-login-url="{reverse("review:login")}"' in page
