"""A service's refusal in the 随迁人 and 证件库 views is a message, never a server error.

The views look at the application's status before calling the service, without a lock; the service
looks again under the row lock. When another tab submits the application (or deletes the same
证件库 image) in between, the service refuses: the view must show that refusal. Each test makes the
race happen for sure: the other tab's transaction holds the row lock until this request's backend
is blocked by it (pg_blocking_pids), then commits.
"""

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.urls import reverse

from applications import services
from applications.choices import AttachmentKind, Status
from applications.models import AccompanyingPerson, Application, Attachment, LibraryDocument
from tests.factories import LibraryDocumentFactory, make_resident_id, ready_application, years_ago

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FROZEN = "内容已冻结不能修改"


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _is_blocking(pid: int) -> bool:
    """Whether the backend `pid` (the request's) is waiting for a lock this connection holds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [pid])
        return cursor.fetchone()[0]


def while_another_tab_holds(other_tab, request):
    """Run `other_tab` in its own connection and transaction; send `request` once it holds its
    locks, and let it commit only when the request is waiting for them."""
    holding, failures = threading.Event(), []
    request_pid = _backend_pid()  # the test client runs the view on this thread's connection

    def run():
        try:
            with transaction.atomic():
                other_tab()
                holding.set()
                deadline = time.monotonic() + 20
                while not _is_blocking(request_pid):
                    if time.monotonic() > deadline:
                        raise AssertionError("the request never waited for the row lock")
                    threading.Event().wait(0.01)
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(20)
    try:
        response = request()
    finally:
        thread.join(30)
    assert not failures, failures
    return response


@pytest.fixture
def draft():
    return ready_application()


@pytest.fixture
def tab(client, draft):
    client.force_login(draft.applicant, backend="django.contrib.auth.backends.ModelBackend")
    return client


def submit_in_the_other_tab(draft):
    return lambda: services.application_submit(application_id=draft.pk, by=draft.applicant)


def family_url(draft):
    return reverse("applications:step", kwargs={"public_id": draft.public_id, "step": "family"})


def assert_told_it_is_frozen(response, draft):
    assert response.status_code == 302
    assert response.url == reverse("applications:status_detail", kwargs={"public_id": draft.public_id})
    assert any(FROZEN in str(message) for message in get_messages(response.wsgi_request))
    assert Application.objects.get(pk=draft.pk).status == Status.SUBMITTED


def test_adding_a_companion_while_another_tab_submits(tab, draft):
    data = {
        "nav": "add",
        "full_name": "张小龙",
        "relation": "儿子",
        "id_type": "resident_id",
        "id_number": make_resident_id(years_ago(8)),
        "ethnicity": "汉族",
        "hukou_same_as_applicant": "on",
    }
    response = while_another_tab_holds(
        submit_in_the_other_tab(draft), lambda: tab.post(family_url(draft), data)
    )
    assert_told_it_is_frozen(response, draft)
    assert not AccompanyingPerson.objects.filter(application=draft).exists()


def test_confirming_the_companions_while_another_tab_submits(tab, draft):
    response = while_another_tab_holds(
        submit_in_the_other_tab(draft), lambda: tab.post(family_url(draft), {"nav": "next"})
    )
    assert_told_it_is_frozen(response, draft)


def test_choosing_from_the_library_while_another_tab_submits(tab, draft):
    document = LibraryDocumentFactory(owner=draft.applicant, kind=AttachmentKind.OTHER)
    url = reverse("applications:attachment_library", kwargs={"public_id": draft.public_id, "kind": "other"})
    response = while_another_tab_holds(
        submit_in_the_other_tab(draft), lambda: tab.post(url, {"document": str(document.public_id)})
    )
    assert_told_it_is_frozen(response, draft)
    assert not Attachment.objects.filter(application=draft, kind="other").exists()


def test_deleting_a_library_image_from_two_tabs_at_once(tab, draft):
    document = LibraryDocumentFactory(owner=draft.applicant, kind=AttachmentKind.OTHER)
    url = reverse("applications:library_delete", kwargs={"public_id": document.public_id})
    response = while_another_tab_holds(
        lambda: services.library_document_delete(document=document, by=draft.applicant),
        lambda: tab.post(url),
    )
    assert response.status_code == 302 and response.url == reverse("applications:library")
    assert not LibraryDocument.objects.filter(pk=document.pk).exists()
