"""The policy, guide and Q&A pages of the 人才引进申办系统 home: real content, honestly labelled."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reference.fixtures import CONTENT_PAGES, fixture_records, load_fixtures
from reference.models import ContentPage

pytestmark = pytest.mark.django_db

PAGES = [record["fields"] for record in fixture_records(CONTENT_PAGES)]

# The seed's home page lists, by section.
SEED_POLICY = ["穗府〔2018〕14号", "穗府规〔2020〕6号", "穗府办规〔2020〕10号", "穗人社规字〔2022〕2号", "技术技能人才职业目录（2019年）"]
SEED_GUIDES = ["引进在职人才入户申办指南", "人才引进申办系统常见问题", "广州市人才引进操作指引",
               "申请和取消法人单位管理员权限操作指引", "搜索不到单位名称操作指引", "如何开通再次申报权限指引"]  # fmt: skip
SEED_QA = ["实施细则》的政策解读"]
LINKED_SLUGS = ["guide-declaration", "guide-employer-not-found", "guide-employer-admin", "guide-reapplication"]


def _section_text(section):
    return " ".join(
        f"{page.title} {page.document_number}" for page in ContentPage.objects.filter(section=section)
    )


def test_every_page_named_by_the_seed_is_there():
    policy = _section_text("policy")
    for name in SEED_POLICY:
        assert name in policy, name
    guides = _section_text("guide")
    for name in SEED_GUIDES:
        assert name in guides, name
    assert all(name in _section_text("qa") for name in SEED_QA)
    assert ContentPage.objects.filter(section="guide").count() == len(SEED_GUIDES)


def test_the_slugs_other_pages_link_to_exist():
    for slug in LINKED_SLUGS:
        assert ContentPage.objects.filter(slug=slug).exists(), slug
    assert ContentPage.objects.get(slug="guide-declaration").title == "广州市人才引进申报办理指引"


@pytest.mark.parametrize("page", PAGES, ids=[p["slug"] for p in PAGES])
def test_each_page_is_a_labelled_summary_naming_its_source(client, page):
    response = client.get(reverse("portal:content_page", args=[page["slug"]]))
    html = response.content.decode()
    assert response.status_code == 200
    assert page["title"] in html
    assert "整理的摘要" in html and "以正式发布的文件原文" in html
    # Real content, not a placeholder.
    body_text = re.sub(r"<[^>]+>", "", page["body"])
    assert len(body_text) > 300
    # Only the article the seed itself quotes is cited by number.
    assert set(re.findall(r"第[一二三四五六七八九十百]+条", body_text)) <= {"第十一条"}


def test_pages_link_only_to_pages_that_exist(client):
    slugs = {page["slug"] for page in PAGES}
    for page in PAGES:
        for linked in re.findall(r'href="/pages/([\w-]+)/"', page["body"]):
            assert linked in slugs, (page["slug"], linked)


def test_loading_again_keeps_an_administrators_edit():
    page = ContentPage.objects.get(slug="guide-faq")
    page.body = "<p>管理员修改后的内容</p>"
    page.save()
    load_fixtures(names=(CONTENT_PAGES,))
    assert ContentPage.objects.get(slug="guide-faq").body == "<p>管理员修改后的内容</p>"
    ContentPage.objects.filter(slug="guide-faq").delete()
    load_fixtures(names=(CONTENT_PAGES,))
    assert "常见问题" in ContentPage.objects.get(slug="guide-faq").title


def test_content_pages_are_public_but_show_the_system_bar_to_users(applicant_client):
    url = reverse("portal:content_page", args=["guide-employer-admin"])
    assert "退出（注销）" not in Client().get(url).content.decode()
    assert "退出（注销）" in applicant_client.get(url).content.decode()


def test_unknown_page_is_404(client):
    assert client.get(reverse("portal:content_page", args=["no-such-page"])).status_code == 404
