"""The eligibility registry fails closed: every sub-category in the database has its rule, a new or
renamed code stops the system check and the submission, and the admin cannot edit the code."""

import re

import pytest
from django.conf import settings
from django.core.checks import run_checks

from applications import services
from applications.checks import ELIGIBILITY_TAG
from applications.eligibility import RULES, rule_for
from applications.models import TalentCategory, TalentSubcategory
from tests.factories import ready_application

pytestmark = pytest.mark.django_db


def eligibility_issues() -> list[tuple[str, str]]:
    return [
        (issue.id, issue.msg)
        for issue in run_checks(
            tags=[ELIGIBILITY_TAG], databases=["default"], include_deployment_checks=False
        )
    ]


def refused_messages(application) -> list[str]:
    with pytest.raises(services.SubmissionRefused) as info:
        services.application_submit(application_id=application.pk, by=application.applicant)
    application.refresh_from_db()
    assert application.status == "draft" and application.number is None
    return info.value.messages


def test_every_seeded_subcategory_has_its_rule_and_the_check_is_clean():
    subcategories = list(TalentSubcategory.objects.all())
    assert len(subcategories) == 19
    for sub in subcategories:
        rule = rule_for(sub)
        assert rule is not None, sub.code
        assert rule.max_age == sub.max_age, sub.code
    assert {sub.code for sub in subcategories} == set(RULES)
    assert eligibility_issues() == []


def test_a_subcategory_added_with_an_unknown_code_fails_the_check_and_the_submission():
    new = TalentSubcategory.objects.create(
        category=TalentCategory.objects.get(code="2"), code="2.4", numeral="（四）", name="新增的学历类别"
    )
    issues = eligibility_issues()
    assert [issue_id for issue_id, _ in issues] == ["applications.E001"]
    assert "'2.4'" in issues[0][1]

    # Everything else is in order: without the rule the application would pass silently.
    application = ready_application(subcategory=new, category=new.category)
    assert refused_messages(application) == [
        "具体类别“二、学历类人才（四）”（编号2.4）尚未配置资格条件，暂不能按该类别提交申报，请联系市人力资源和社会保障局。"
    ]


def test_a_renamed_code_fails_the_check_and_the_submission():
    application = ready_application()  # 二（二） 硕士, code 2.2
    TalentSubcategory.objects.filter(code="2.2").update(code="2.9")
    issues = dict(eligibility_issues())
    assert set(issues) == {"applications.E001", "applications.W001"}
    assert "'2.9'" in issues["applications.E001"]
    assert "'2.2'" in issues["applications.W001"]  # the rule now belongs to no row

    application.subcategory.refresh_from_db()
    messages = refused_messages(application)
    assert (
        "具体类别“二、学历类人才（二）”（编号2.9）尚未配置资格条件，暂不能按该类别提交申报，请联系市人力资源和社会保障局。"
        in messages
    )


def test_an_age_limit_other_than_the_rules_fails_the_check():
    TalentSubcategory.objects.filter(code="3.2").update(max_age=45)
    issues = eligibility_issues()
    assert [issue_id for issue_id, _ in issues] == ["applications.E002"]
    assert "'3.2'" in issues[0][1] and "45" in issues[0][1] and "40" in issues[0][1]


def test_the_check_passes_over_a_database_not_migrated_yet(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection.introspection, "table_names", lambda *args, **kwargs: [])
    TalentSubcategory.objects.filter(code="2.2").update(code="2.9")  # would be an error if read
    assert eligibility_issues() == []


def test_the_admin_shows_the_code_and_age_limit_read_only(client, city_admin):
    category = TalentCategory.objects.get(code="2")
    client.force_login(city_admin)
    response = client.get(f"/{settings.ADMIN_URL}applications/talentcategory/{category.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    # The inline rows carry no input for the code or the age limit, only their text …
    assert not re.search(r'name="subcategories-\d+-code"', page)
    assert not re.search(r'name="subcategories-\d+-max_age"', page)
    assert re.search(r'name="subcategories-\d+-name"', page)  # … while the name stays editable
    codes = re.findall(r'<td class="field-code">\s*<p>([^<]*)</p>', page)
    assert codes == ["2.1", "2.2", "2.3"]
    # … and no new sub-category (with a code of its own) can be added here.
    assert 'name="subcategories-TOTAL_FORMS" value="3"' in page
    assert "添加另一个" not in page


def test_the_admin_ignores_a_code_posted_anyway(client, city_admin):
    category = TalentCategory.objects.get(code="2")
    subs = list(category.subcategories.order_by("sort_order"))
    data = {
        "code": "2",
        "numeral": category.numeral,
        "name": category.name,
        "card_label": category.card_label,
        "subcategories-TOTAL_FORMS": str(len(subs)),
        "subcategories-INITIAL_FORMS": str(len(subs)),
        "subcategories-MIN_NUM_FORMS": "0",
        "subcategories-MAX_NUM_FORMS": "1000",
    }
    for i, sub in enumerate(subs):
        data |= {
            f"subcategories-{i}-id": str(sub.pk),
            f"subcategories-{i}-category": str(category.pk),
            f"subcategories-{i}-code": "9.9" if i == 0 else sub.code,
            f"subcategories-{i}-max_age": "99",
            f"subcategories-{i}-numeral": sub.numeral,
            f"subcategories-{i}-name": sub.name,
            f"subcategories-{i}-sort_order": str(sub.sort_order),
        }
    client.force_login(city_admin)
    response = client.post(f"/{settings.ADMIN_URL}applications/talentcategory/{category.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sorted(category.subcategories.values_list("code", "max_age")) == [
        ("2.1", 50),
        ("2.2", 45),
        ("2.3", 40),
    ]
