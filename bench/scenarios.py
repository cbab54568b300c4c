"""What bench/http_pages.py measures: the pages, who requests them, and real drafts to submit."""

import secrets
import statistics
import time
from http.client import HTTPConnection
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.choices import Status
from applications.eligibility import required_attachment_kinds
from applications.models import Application, Attachment, LibraryDocument, TalentSubcategory
from applications.services import submission_problems
from core.storage import private_storage


def pages_and_users():
    """(label, role, path) rows, the ceiling first; and the user behind each role."""
    applicant = (
        Application.objects.filter(
            status=Status.PUBLISHED, district__code="440106", applicant__username__startswith="bulk_"
        )
        .order_by("pk")
        .values_list("applicant", flat=True)
        .first()
    )
    reviewer = User.objects.get(username="reviewer06")  # 天河区: about 1/11 of all applications
    searched = (
        Application.objects.filter(district__code="440106", status=Status.UNDER_REVIEW)
        .order_by("-pk")
        .values_list("id_number", flat=True)
        .first()
    )
    category = TalentSubcategory.objects.get(code="2.2").category_id
    queue = reverse("review:queue")
    statistics = reverse("review:statistics")
    busiest_year = (
        Application.objects.filter(district__code="440106")
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    detail = reverse("review:detail", args=[searched_public_id(searched)])
    draft, personal_body = personal_post()
    personal = reverse("applications:step", kwargs={"public_id": draft.public_id, "step": "personal"})
    pages = [
        ("bare page (base layout, no database)", None, reverse("demo:bench_ceiling")),
        ("applicant status page", "applicant", reverse("applications:status")),
        ("public notice list", None, reverse("notices:list")),
        ("review queue, 50 rows, filtered", "reviewer", f"{queue}?{urlencode({'status': 'under_review', 'category': category})}"),
        ("review queue, search by ID number", "reviewer", f"{queue}?{urlencode({'status': 'all', 'q': searched})}"),
        # 统计分析: the whole city over every year (the largest aggregate) and one district's year.
        ("reviewer's application detail", "reviewer", detail),
        ("个人信息 step, GET", "drafter", personal),
        # A valid POST (下一步): saves the step and answers 302 to the next step.
        ("个人信息 step, valid POST", "drafter", personal, personal_body),
        ("statistics, city, all years", "city_admin", f"{statistics}?{urlencode({'year': ''})}"),
        ("statistics, district, one year", "reviewer", f"{statistics}?{urlencode({'year': busiest_year})}"),
    ]  # fmt: skip
    users = {None: None, "applicant": User.objects.get(pk=applicant), "reviewer": reviewer}
    users["city_admin"] = User.objects.get(username="cityadmin")
    users["drafter"] = draft.applicant
    return pages, users


def searched_public_id(id_number: str):
    return Application.objects.filter(id_number=id_number).values_list("public_id", flat=True).first()


def personal_post() -> tuple[Application, dict]:
    """A 天河区 bulk draft and the 个人信息 form as its browser would POST it unchanged (下一步).

    The fields come from the form's own initial values, so the POST is whatever the page shows; a
    draft whose bulk values the eligibility rules refuse (the page answers 200 with errors) is
    skipped, so the row measures a save, not a re-shown form.
    """
    from django.test import Client

    from accounts.validators import id_facts
    from applications.forms import PersonalForm

    drafts = (
        Application.objects.filter(
            status=Status.DRAFT, district__code="440106", applicant__username__startswith="bulk_",
            employer__isnull=False,
        )
        .select_related("employer", "applicant")
        .order_by("pk")
    )  # fmt: skip
    for app in drafts[:50]:
        form = PersonalForm(
            instance=app, identity_from_number=id_facts(app.id_type, app.id_number) is not None
        )
        data = {}
        for name in form.fields:
            value = form[name].value()
            data[name] = "" if value is None else str(value)
        data.update({"employer": str(app.employer.public_id), "employer_query": "", "nav": "next"})
        data["contact_mobile"] = data.get("contact_mobile") or app.applicant.mobile or "13912345678"
        client = Client()
        client.force_login(app.applicant, backend="django.contrib.auth.backends.ModelBackend")
        url = reverse("applications:step", kwargs={"public_id": app.public_id, "step": "personal"})
        if client.post(url, data).status_code == 302:
            return app, data
    raise SystemExit("no bulk draft in 天河区 takes a valid 个人信息 POST")


def refresh_statistics() -> float:
    """Recount the statistics view after the bulk load, as beat would within 10 minutes; seconds."""
    from review.services import statistics_refresh

    started = time.perf_counter()
    statistics_refresh()
    return time.perf_counter() - started


@transaction.atomic
def _ready_drafts(count: int) -> list[Application]:
    """Bulk drafts made submit-ready: every required attachment added (one shared scan on disk)."""
    from tests.factories import jpeg_bytes  # the same realistic JPEG the tests use

    scan_name = private_storage().save("bench/scan.jpg", ContentFile(jpeg_bytes(800, 600)))
    today = timezone.localdate()
    ready: list[Application] = []
    drafts = (
        Application.objects.filter(status=Status.DRAFT, applicant__username__startswith="bulk_", attachments__isnull=True)
        .select_related("subcategory__category", "category", "employer", "district")
        .order_by("pk")
    )  # fmt: skip
    for app in drafts.iterator(chunk_size=500):
        kinds = required_attachment_kinds(app)
        docs = LibraryDocument.objects.bulk_create(
            LibraryDocument(owner_id=app.applicant_id, kind=kind, file=scan_name, original_name="scan.jpg",
                            size=1, width=800, height=600, sha256="0" * 64)
            for kind in kinds
        )  # fmt: skip
        Attachment.objects.bulk_create(
            Attachment(application=app, kind=doc.kind, document=doc) for doc in docs
        )
        if submission_problems(app, on=today):
            Attachment.objects.filter(application=app).delete()
            LibraryDocument.objects.filter(pk__in=[doc.pk for doc in docs]).delete()
            continue
        ready.append(app)
        if len(ready) == count:
            break
    return ready


def time_submits(*, port: int, cookie_for, count: int) -> dict:
    """POST 提交 for `count` real drafts, one after another, as the applicant's browser does."""
    drafts = _ready_drafts(count)
    times = []
    for app in drafts:
        token = secrets.token_hex(16)  # an unmasked 32-character CSRF secret, as in the cookie
        cookie = f"{cookie_for(app.applicant)}; csrftoken={token}"
        body = urlencode({"csrfmiddlewaretoken": token})
        conn = HTTPConnection("127.0.0.1", port, timeout=30)
        started = time.perf_counter()
        conn.request(
            "POST", reverse("applications:submit", args=[app.public_id]), body=body,
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        conn.close()
        if response.status != 302:
            raise SystemExit(f"submit of {app.pk} answered {response.status}, expected a redirect")
    submitted = Application.objects.filter(pk__in=[a.pk for a in drafts], status=Status.SUBMITTED).count()
    if submitted != len(drafts):
        raise SystemExit(f"only {submitted} of {len(drafts)} drafts were submitted")
    ordered = sorted(times)
    return {
        "count": len(times),
        "times": times,
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
    }
