"""一键测试 and 提交 decide alike: for any answers, the public self-test page says 符合 exactly when
submission accepts them, and 不符合 with exactly the reasons submission gives.

The draft is complete in every other respect (commitment, 迁入单位, one attachment of every kind,
no 随迁人), so whatever submission refuses is about the answers alone. The answers are written onto
its row directly: the wizard's own steps would refuse some of them earlier (that is their job),
and what is compared here is the decision at submission.
"""

import datetime
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import services
from applications.choices import AttachmentKind, Degree, Education, ProfessionalTitle, SkillLevel, Status
from applications.eligibility import RULES
from applications.models import Application, TalentSubcategory
from applications.wizard import RECORDED_STEPS
from tests.builders import build_application
from tests.factories import jpeg_bytes

pytestmark = pytest.mark.django_db

TEXT_ANSWERS = st.sampled_from(["", "无", "  ", "注册会计师", "焊工", "国务院特殊津贴专家", "技术总监"])


def _ready_draft() -> Application:
    app = build_application(Status.DRAFT, subcategory="2.2")
    attached = set(app.attachments.values_list("kind", flat=True))
    for kind in AttachmentKind:
        if kind not in attached:
            upload = SimpleUploadedFile(f"{kind}.jpg", jpeg_bytes(320, 240, quality=70), "image/jpeg")
            services.attachment_upload(application=app, kind=kind, uploaded_file=upload, by=app.applicant)
    Application.objects.filter(pk=app.pk).update(completed_steps=list(RECORDED_STEPS))
    return app


class _RolledBack(Exception):
    pass


def _submit_decision(app: Application, answers: dict) -> list[str]:
    """Submission's refusal messages for these answers ([] = accepted), the draft left as it was."""
    subcategory = TalentSubcategory.objects.get(code=answers["subcategory"])
    row = {name: value for name, value in answers.items() if name not in ("category", "subcategory")}
    try:
        with transaction.atomic():
            Application.objects.filter(pk=app.pk).update(
                subcategory=subcategory, category=subcategory.category, **row
            )
            try:
                services.application_submit(application_id=app.pk, by=app.applicant)
            except services.SubmissionRefused as refusal:
                messages = refusal.messages
            else:
                messages = []
            raise _RolledBack
    except _RolledBack:
        pass
    return messages


def _selftest_decision(client, answers: dict) -> tuple[bool, list[str]]:
    posted = {name: "" if value is None else str(value) for name, value in answers.items()}
    response = client.post("/services/selftest/", {**posted, "action": "test"})
    assert response.status_code == 200
    html = response.content.decode()
    verdict = re.search(r'data-eligible="(true|false)"', html)
    assert verdict, "the page shows no verdict"
    listed = re.search(r'data-testid="selftest-reasons">(.*?)</ol>', html, re.S)
    reasons = re.findall(r"<li>(.*?)</li>", listed.group(1), re.S) if listed else []
    return verdict.group(1) == "true", [unescape(reason.strip()) for reason in reasons]


@st.composite
def answers(draw):
    code = draw(st.sampled_from(sorted(RULES)))
    return {
        "category": code.split(".")[0],
        "subcategory": code,
        "birth_date": draw(st.dates(datetime.date(1955, 1, 1), datetime.date(2006, 12, 31))),
        "education": draw(st.sampled_from(Education.values)),
        "degree": draw(st.sampled_from(Degree.values)),
        "professional_title": draw(st.sampled_from(ProfessionalTitle.values)),
        "skill_qualification": draw(st.sampled_from(SkillLevel.values)),
        "professional_qualification": draw(TEXT_ANSWERS),
        "skill_occupation": draw(TEXT_ANSWERS),
        "shortage_occupation": draw(TEXT_ANSWERS),
        "position": draw(TEXT_ANSWERS),
        "high_level_title": draw(TEXT_ANSWERS),
        "social_insurance_months": draw(st.integers(min_value=0, max_value=36)),
    }


def test_selftest_says_what_submission_decides(client):
    app = _ready_draft()
    assert _submit_decision(app, {"subcategory": "2.2"}) == [], "the draft must be submittable as built"
    seen = {"eligible": 0, "ineligible": 0}

    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answers())
    def agree(given_answers):
        # The page strips what it is given; the row holds what the self-test judged.
        stored = {
            name: value.strip() if isinstance(value, str) else value for name, value in given_answers.items()
        }
        eligible, reasons = _selftest_decision(client, given_answers)
        refused = _submit_decision(app, stored)
        assert eligible == (not refused)
        assert reasons == refused
        seen["eligible" if eligible else "ineligible"] += 1

    agree()
    # Both verdicts were met, so the agreement is not one of always saying no.
    assert seen["eligible"] and seen["ineligible"], seen
    app.refresh_from_db()
    assert app.status == Status.DRAFT
