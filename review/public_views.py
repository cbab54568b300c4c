"""The public notice (网上公示, /notice/): anyone may read it and raise an objection."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.cache import cached_anonymous_page
from core.errors import Refused
from core.replica import reads_from_replica
from review import selectors, services
from review.forms import NoticeSearchForm, ObjectionRaiseForm
from review.models import Objection, PublicNotice
from review.signals import PUBLIC_NOTICE
from review.views import client_ip, paginate

PAGE_SIZE = 20


@cached_anonymous_page(version_name=PUBLIC_NOTICE)
@reads_from_replica  # a moment late is harmless here; the cache keeps no page older than the replica
def notice_list(request):
    """Current and past notices: masked name, employer, 审批单位, category, dates; never an ID number."""
    current = request.GET.get("tab") != "past"
    form = NoticeSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        entries = selectors.public_notice_entries(current=current).none()  # the error says why
    else:
        terms = form.cleaned_data if form.is_bound else {}
        entries = selectors.public_notice_entries(
            current=current, employer=terms.get("employer", ""), number=terms.get("number", "")
        )
    return render(
        request,
        "notices/list.html",
        {"form": form, "current": current, **paginate(request, entries, PAGE_SIZE)},
    )


def _objection_open(entry) -> bool:
    notice = entry.notice
    today = timezone.localdate()
    # From the approval on, the day before the 公示期's first counted day included (review.deadlines).
    return notice.status == PublicNotice.Status.OPEN and today <= notice.end_date


def objection_raise(request, public_id):
    entry = get_object_or_404(selectors.public_notice_entry(application_public_id=public_id))
    is_open = _objection_open(entry) and entry.application.status == "in_notice"
    form = ObjectionRaiseForm(request.POST or None)
    if request.method == "POST" and is_open and form.is_valid():
        data = form.cleaned_data
        try:
            objection = services.objection_raise(
                entry_id=entry.pk,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                description=data["description"],
                ip_address=client_ip(request),
            )
        except Refused as exc:
            form.add_error(None, str(exc))
            is_open = False
        else:
            return redirect("notices:objection_done", public_id=objection.public_id)
    return render(
        request,
        "notices/objection_form.html",
        {"entry": entry, "form": form, "is_open": is_open},
        status=200 if is_open or request.method == "GET" else 409,
    )


def objection_done(request, public_id):
    # Only the reference and the deadline: the objector's details are not shown back to anyone.
    objection = get_object_or_404(
        Objection.objects.select_related("entry__notice__district"), public_id=public_id
    )
    return render(request, "notices/objection_done.html", {"objection": objection})
