"""Every write of the 随迁人 and 证件库 views, posted for an application that is already submitted
(the page was loaded before another tab submitted it): a message and a redirect to where the
application stands, nothing changed, never a 500. The same races under a real row lock are
tests/security/test_wizard_races_refuse_with_a_message.py (PostgreSQL)."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.choices import AttachmentKind, Relation, Status
from applications.models import AccompanyingPerson, Attachment, LibraryDocument
from tests.builders import build_application
from tests.factories import LibraryDocumentFactory, jpeg_bytes, make_resident_id, years_ago

pytestmark = pytest.mark.django_db

FROZEN = "内容已冻结"


@pytest.fixture
def submitted():
    return build_application(
        Status.SUBMITTED,
        family=[("李晓红", make_resident_id(years_ago(29), male=False), Relation.SPOUSE)],
    )


@pytest.fixture
def tab(client, submitted):
    client.force_login(submitted.applicant, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _status_url(application) -> str:
    return reverse("applications:status_detail", kwargs={"public_id": application.public_id})


def _told_frozen(response, application) -> None:
    assert response.status_code == 302, response.status_code
    assert response.url == _status_url(application)
    assert any(FROZEN in str(message) for message in get_messages(response.wsgi_request))


def test_adding_and_confirming_companions(tab, submitted):
    url = reverse("applications:step", kwargs={"public_id": submitted.public_id, "step": "family"})
    data = {
        "nav": "add",
        "full_name": "张小龙",
        "relation": "儿子",
        "id_type": "resident_id",
        "id_number": make_resident_id(years_ago(8)),
        "ethnicity": "汉族",
        "hukou_same_as_applicant": "on",
    }
    _told_frozen(tab.post(url, data), submitted)
    _told_frozen(tab.post(url, {"nav": "next"}), submitted)
    assert list(submitted.accompanying_persons.values_list("full_name", flat=True)) == ["李晓红"]


def test_removing_a_companion(tab, submitted):
    person = submitted.accompanying_persons.get()
    url = reverse(
        "applications:person_remove", kwargs={"public_id": submitted.public_id, "person_id": person.public_id}
    )
    _told_frozen(tab.post(url), submitted)
    assert AccompanyingPerson.objects.filter(pk=person.pk).exists()


def test_uploading_an_attachment(tab, submitted):
    before = Attachment.objects.filter(application=submitted).count()
    upload = SimpleUploadedFile("scan.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = tab.post(
        reverse("applications:attachment_upload", kwargs={"public_id": submitted.public_id}),
        {"kind": AttachmentKind.OTHER, "file": upload},
    )
    _told_frozen(response, submitted)
    assert Attachment.objects.filter(application=submitted).count() == before


def test_choosing_from_the_library(tab, submitted):
    document = LibraryDocumentFactory(owner=submitted.applicant, kind=AttachmentKind.OTHER)
    url = reverse(
        "applications:attachment_library", kwargs={"public_id": submitted.public_id, "kind": "other"}
    )
    response = tab.post(url, {"document": str(document.public_id)})
    assert response.status_code == 302 and response.url == _status_url(submitted)
    assert not Attachment.objects.filter(application=submitted, kind="other").exists()


def test_deleting_an_attachment(tab, submitted):
    attachment = Attachment.objects.filter(application=submitted).first()
    response = tab.post(reverse("applications:attachment_delete", kwargs={"public_id": attachment.public_id}))
    _told_frozen(response, submitted)
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_deleting_a_library_image_the_submitted_application_uses(tab, submitted):
    attachment = Attachment.objects.filter(application=submitted, document__isnull=False).first()
    document = attachment.document
    response = tab.post(reverse("applications:library_delete", kwargs={"public_id": document.public_id}))
    assert response.status_code == 302 and response.url == reverse("applications:library")
    assert any("已用作申报附件" in str(m) for m in get_messages(response.wsgi_request))
    assert LibraryDocument.objects.filter(pk=document.pk).exists()
