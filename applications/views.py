"""Views: parse input, call one service, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from portal.models import ContentPage


@login_required
def home(request):
    """The 人才引进申办系统 home: the two menu entries and the policy, guide and Q&A lists (seed)."""
    pages = ContentPage.objects.only("slug", "section", "title", "document_number", "is_new")
    sections = {section: [] for section in ContentPage.Section.values}
    for page in pages:
        sections[page.section].append(page)
    return render(
        request,
        "applications/home.html",
        {
            "policy_pages": sections[ContentPage.Section.POLICY],
            "guide_pages": sections[ContentPage.Section.GUIDE],
            "qa_pages": sections[ContentPage.Section.QA],
        },
    )
