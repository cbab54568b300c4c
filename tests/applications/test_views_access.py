"""Every object URL of this app: another user's id is 404; staff see attachments only of their
district's submitted applications; every POST needs the CSRF token."""

import pytest
from django.test import Client
from django.urls import reverse

from applications.choices import AttachmentKind, Status
from tests.factories import (
    AccompanyingPersonFactory,
    ApplicationFactory,
    AttachmentFactory,
    CityAdminFactory,
    LibraryDocumentFactory,
    PoliceFactory,
    ReviewerFactory,
    district,
)

# Files are stored here: each test runs on the local folder and on a bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]


@pytest.fixture
def owned(applicant):
    """One of each object, all belonging to `applicant`."""
    application = ApplicationFactory(applicant=applicant)
    return {
        "application": application,
        "person": AccompanyingPersonFactory(application=application),
        "attachment": AttachmentFactory(application=application),
        "document": LibraryDocumentFactory(owner=applicant, kind=AttachmentKind.OTHER),
    }


def object_urls(objects) -> list[tuple[str, str]]:
    app = objects["application"].public_id
    return [
        ("get", reverse("applications:resume", kwargs={"public_id": app})),
        *[
            ("get", reverse("applications:step", kwargs={"public_id": app, "step": step}))
            for step in (
                "commitment",
                "declaration",
                "category",
                "personal",
                "family",
                "attachments",
                "confirm",
            )
        ],
        ("post", reverse("applications:step", kwargs={"public_id": app, "step": "commitment"})),
        ("post", reverse("applications:submit", kwargs={"public_id": app})),
        ("get", reverse("applications:withdraw", kwargs={"public_id": app})),
        ("post", reverse("applications:withdraw", kwargs={"public_id": app})),
        ("post", reverse("applications:attachment_upload", kwargs={"public_id": app})),
        ("get", reverse("applications:attachment_library", kwargs={"public_id": app, "kind": "id_card"})),
        (
            "post",
            reverse(
                "applications:person_remove",
                kwargs={"public_id": app, "person_id": objects["person"].public_id},
            ),
        ),
        (
            "get",
            reverse("applications:attachment_preview", kwargs={"public_id": objects["attachment"].public_id}),
        ),
        (
            "post",
            reverse("applications:attachment_delete", kwargs={"public_id": objects["attachment"].public_id}),
        ),
        ("get", reverse("applications:status_detail", kwargs={"public_id": app})),
        ("get", reverse("applications:library_preview", kwargs={"public_id": objects["document"].public_id})),
        ("post", reverse("applications:library_delete", kwargs={"public_id": objects["document"].public_id})),
    ]


def test_every_object_url_is_404_for_another_applicant(owned, login_client, other_applicant):
    intruder = login_client(other_applicant)
    for method, url in object_urls(owned):
        response = getattr(intruder, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    # ... and nothing changed.
    owned["application"].refresh_from_db()
    assert owned["application"].status == Status.DRAFT
    assert owned["application"].attachments.count() == 1
    assert owned["application"].accompanying_persons.count() == 1


def test_the_owner_reaches_every_object_url(owned, login_client, applicant):
    owner = login_client(applicant)
    for method, url in object_urls(owned):
        if method == "get":
            assert owner.get(url).status_code in (200, 302), url


def test_person_of_another_application_of_the_same_user_is_404(applicant_client, applicant):
    first = ApplicationFactory(applicant=applicant, submitted=True, status=Status.WITHDRAWN)
    person = AccompanyingPersonFactory(application=first)
    second = ApplicationFactory(applicant=applicant)
    url = reverse(
        "applications:person_remove", kwargs={"public_id": second.public_id, "person_id": person.public_id}
    )
    assert applicant_client.post(url).status_code == 404


def test_library_document_of_another_user_cannot_be_chosen(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    foreign = LibraryDocumentFactory(kind=AttachmentKind.ID_CARD)
    url = reverse(
        "applications:attachment_library", kwargs={"public_id": application.public_id, "kind": "id_card"}
    )
    assert applicant_client.post(url, {"document": str(foreign.public_id)}).status_code == 404
    assert not application.attachments.exists()


# --- attachment preview: who may look ------------------------------------------------------------


@pytest.fixture
def submitted_attachment():
    application = ApplicationFactory(submitted=True, status=Status.UNDER_REVIEW, district=district("440106"))
    return AttachmentFactory(application=application)


def preview(user, attachment):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.get(reverse("applications:attachment_preview", kwargs={"public_id": attachment.public_id}))


def test_preview_is_served_privately_to_the_owner(submitted_attachment):
    response = preview(submitted_attachment.application.applicant, submitted_attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xff\xd8")


def test_reviewer_of_the_district_and_city_admin_may_preview(submitted_attachment):
    assert preview(ReviewerFactory(district=district("440106")), submitted_attachment).status_code == 200
    assert preview(CityAdminFactory(), submitted_attachment).status_code == 200


def test_reviewer_of_another_district_and_police_get_404(submitted_attachment):
    assert preview(ReviewerFactory(district=district("440111")), submitted_attachment).status_code == 404
    assert preview(PoliceFactory(), submitted_attachment).status_code == 404


def test_a_draft_never_submitted_is_not_visible_to_reviewers():
    attachment = AttachmentFactory(application=ApplicationFactory(district=district("440106")))
    assert preview(ReviewerFactory(district=district("440106")), attachment).status_code == 404
    assert preview(CityAdminFactory(), attachment).status_code == 404


def test_access_attachment_for_viewer_is_the_single_rule(submitted_attachment):
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404

    from applications.access import access_attachment_for_viewer

    reviewer = ReviewerFactory(district=district("440106"))
    found = access_attachment_for_viewer(user=reviewer, public_id=submitted_attachment.public_id)
    assert found == submitted_attachment
    with pytest.raises(Http404):
        access_attachment_for_viewer(user=AnonymousUser(), public_id=submitted_attachment.public_id)


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_post_needs_the_csrf_token(owned, applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    urls = [url for method, url in object_urls(owned) if method == "post"] + [reverse("applications:start")]
    for url in urls:
        assert client.post(url).status_code == 403, url
    owned["application"].refresh_from_db()
    assert owned["application"].status == Status.DRAFT
    assert owned["application"].attachments.count() == 1
