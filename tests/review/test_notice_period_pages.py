"""The 公示期 the pages show is the one counted (issue 12, 9): approved Wednesday 2026-12-02, five
working days from Thursday 12-03 to Wednesday 12-09, and objections are taken from the approval on."""

import datetime

import pytest
from django.urls import reverse

from applications.choices import Status
from review import services
from tests.builders import build_application

pytestmark = pytest.mark.django_db

WEDNESDAY = datetime.date(2026, 12, 2)


def test_an_approval_on_wednesday_shows_thursday_to_the_next_wednesday(client, reviewer, freeze_today):
    app = build_application(Status.UNDER_REVIEW, reviewer=reviewer, on=WEDNESDAY)
    freeze_today(WEDNESDAY)
    services.application_approve(application_id=app.pk, by=reviewer)

    client.force_login(app.applicant, backend="django.contrib.auth.backends.ModelBackend")
    status = client.get(reverse("applications:status")).content.decode()
    assert "<strong>2026年12月03日</strong> 至 <strong>2026年12月09日</strong>" in status
    assert "公示期：2026年12月03日 至 2026年12月09日" in status  # 办理记录

    client.logout()
    public = client.get(reverse("notices:list")).content.decode()
    assert "2026-12-03" in public and "2026-12-09" in public
    # On view from the approval day: an objection can be raised that very day.
    assert "提出异议" in public
    assert client.get(reverse("notices:objection", args=[app.public_id])).status_code == 200
