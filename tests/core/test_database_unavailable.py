"""PostgreSQL restarting or failing over: the next request reconnects by itself, and a submit while
the database refuses answers 503 系统繁忙，请稍后重试 with everything typed kept for 重新提交.

The PostgreSQL tests cut this test database's connections with pg_terminate_backend and make it
refuse new ones with ALTER DATABASE … ALLOW_CONNECTIONS false (this test database only, always
allowed again at the end). Requests go through Django's WSGIHandler as gunicorn's sync worker makes
them, in this thread and on its persistent connection: the test client skips the request_started
and request_finished handlers that close or health-check a connection.
"""

import contextlib
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.test.client import FakePayload
from django.urls import reverse

from applications.models import Application
from core.middleware import database_unavailable
from tests.applications.test_views_wizard import personal_data
from tests.factories import ApplicationFactory, EmployerFactory

# --- the page, on any database ------------------------------------------------------------------------


class FormInputs(HTMLParser):
    """The <form method=post> of a page: its action and its inputs, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self._in_form = None, [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self.action, self._in_form = attrs.get("action"), True
        elif tag == "input" and self._in_form and attrs.get("name"):
            self.fields.append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def form_of(html: str) -> FormInputs:
    parser = FormInputs()
    parser.feed(html)
    return parser


@pytest.mark.django_db
def test_the_busy_page_keeps_what_was_posted_and_renders_without_the_database(django_assert_num_queries):
    request = RequestFactory().post(
        "/talent/apply/x/personal/?from=confirm",
        {
            "graduate_school": "华南理工大学",
            "intended_address": '广州市天河区"花城大道"1号<b>',
            "languages": ["英语", "日语"],
            "password": "Secret2026",
            "csrfmiddlewaretoken": "token-from-the-form",
            "nav": "next",
        },
    )
    # No request.user, no session: reading either would need the database that is down.
    with django_assert_num_queries(0):
        response = database_unavailable(request)
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "系统繁忙，请稍后重试" in page and "尚未生效" in page and "重新提交" in page
    form = form_of(page)
    assert form.action == "/talent/apply/x/personal/?from=confirm"
    assert ("graduate_school", "华南理工大学") in form.fields
    assert ("intended_address", '广州市天河区"花城大道"1号<b>') in form.fields  # escaped, comes back as typed
    assert ("languages", "英语") in form.fields and ("languages", "日语") in form.fields
    assert ("nav", "next") in form.fields
    assert ("csrfmiddlewaretoken", "token-from-the-form") in form.fields
    assert not any(name == "password" for name, _ in form.fields)
    assert "密码不会保留" in page


def test_the_busy_page_after_a_get_offers_to_try_again():
    response = database_unavailable(RequestFactory().get("/notice/?page=2"))
    page = response.content.decode()
    assert (
        response.status_code == 503 and "系统暂时无法打开此页面" in page and 'href="/notice/?page=2"' in page
    )


@pytest.mark.django_db
def test_a_database_error_in_a_view_answers_503_not_500(applicant_client, applicant, caplog):
    application = ApplicationFactory(applicant=applicant)
    url = reverse("applications:step", kwargs={"public_id": application.public_id, "step": "personal"})
    applicant_client.raise_request_exception = False
    with mock.patch(
        "applications.views.Wizard.render", side_effect=OperationalError("server closed the connection")
    ):
        response = applicant_client.post(url, {"graduate_school": "中山大学", "nav": "next"})
    assert response.status_code == 503
    assert ("graduate_school", "中山大学") in form_of(response.content.decode()).fields
    assert any(r.levelname == "ERROR" and "database unavailable" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_a_database_error_in_a_middleware_answers_503_not_500(applicant_client, caplog):
    """The session is loaded by a middleware, before any view: Django has made that a 500 already."""
    from importlib import import_module

    from django.conf import settings

    applicant_client.raise_request_exception = False
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with mock.patch.object(store, "load", side_effect=OperationalError("the database system is starting up")):
        response = applicant_client.get("/")
    assert response.status_code == 503
    assert "系统繁忙，请稍后重试" in response.content.decode()
    assert any(r.levelname == "ERROR" and "database unavailable" in r.getMessage() for r in caplog.records)


# --- real PostgreSQL: cut connections, refuse new ones ---------------------------------------------------


class WsgiClient:
    """Requests through WSGIHandler with a cookie jar, as a browser and gunicorn's sync worker make them."""

    def __init__(self, cookies: SimpleCookie | None = None):
        self.handler = WSGIHandler()
        self.cookies = cookies or SimpleCookie()

    def request(self, method: str, path: str, data: list[tuple[str, str]] | None = None):
        path, _, query = path.partition("?")
        extra = {
            "QUERY_STRING": query,
            "HTTP_COOKIE": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items()),
        }
        if method == "POST":
            body = urlencode(data or [], doseq=True).encode()
            extra.update(
                CONTENT_TYPE="application/x-www-form-urlencoded",
                CONTENT_LENGTH=str(len(body)),
                **{"wsgi.input": FakePayload(body)},
            )
        environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD=method, **extra)
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        chunks = self.handler(environ, start_response)
        try:
            content = b"".join(chunks)
        finally:
            chunks.close()  # request_finished, as the server sends it
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                self.cookies.load(value)
        return answer["status"], dict(answer["headers"]), content.decode()


def _admin_connection():
    """A connection to the server's maintenance database, never to the test database itself."""
    import psycopg

    params = connection.settings_dict
    admin = psycopg.connect(
        dbname="postgres",
        user=params["USER"] or "postgres",
        password=params["PASSWORD"] or None,
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
    )
    admin.autocommit = True
    return admin


def _terminate_backends(admin, *, pid: int | None = None) -> int:
    with admin.cursor() as cursor:
        if pid is None:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [connection.settings_dict["NAME"]],
            )
        else:
            cursor.execute("SELECT count(pg_terminate_backend(%s))", [pid])
        return cursor.fetchone()[0]


@contextlib.contextmanager
def database_refusing():
    """This test database refuses connections and has lost the ones it had, until the block ends."""
    name = connection.settings_dict["NAME"]
    assert name.startswith("test_"), name  # never anything but the test database
    admin = _admin_connection()
    quoted = '"' + name.replace('"', '""') + '"'
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {quoted} ALLOW_CONNECTIONS false")  # noqa: S608 - our own test database's name
        _terminate_backends(admin)
        yield
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {quoted} ALLOW_CONNECTIONS true")  # noqa: S608
        admin.close()


@pytest.fixture
def persistent_connection():
    """The production database settings: connections kept for a minute, checked before reuse."""
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    try:
        yield connection.settings_dict
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def _backend_pid() -> int:
    return connection.connection.info.backend_pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_after_the_connections_are_cut_the_next_request_succeeds(persistent_connection):
    client = WsgiClient()  # each visit a new URL: the anonymous page cache must not answer for the database
    assert client.request("GET", "/notice/?visit=1")[0] == 200
    before = _backend_pid()  # the connection the request left open for the next one
    admin = _admin_connection()
    try:
        assert _terminate_backends(admin, pid=before) == 1
        status, _, _ = client.request("GET", "/notice/?visit=2")
        assert status == 200, "CONN_HEALTH_CHECKS: the dead connection is replaced before the request uses it"
        assert _backend_pid() != before

        # Without the check the same cut costs the next request: it answers the 503 page (not a 500),
        # and the one after it reconnects.
        persistent_connection["CONN_HEALTH_CHECKS"] = False
        connection.close()  # a connection reads the setting when it opens
        assert client.request("GET", "/notice/?visit=6")[0] == 200
        cut = _backend_pid()
        assert _terminate_backends(admin, pid=cut) == 1
        status, _, page = client.request("GET", "/notice/?visit=3")
        assert status == 503 and "系统繁忙，请稍后重试" in page
        assert client.request("GET", "/notice/?visit=4")[0] == 200
    finally:
        admin.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_wizard_step_posted_while_the_database_refuses_is_kept_for_resubmission(
    persistent_connection, applicant
):
    application = ApplicationFactory(applicant=applicant, graduate_school="", employer=None)
    employer = EmployerFactory()
    url = reverse("applications:step", kwargs={"public_id": application.public_id, "step": "personal"})
    browser = Client()
    browser.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    client = WsgiClient(browser.cookies)
    status, _, page = client.request("GET", url)
    assert status == 200
    token = next(value for name, value in form_of(page).fields if name == "csrfmiddlewaretoken")
    typed = [
        ("csrfmiddlewaretoken", token),
        *personal_data(application, employer, graduate_school="暨南大学").items(),
    ]

    with database_refusing():
        status, headers, page = client.request("POST", url, typed)
    assert status == 503, page[:500]
    assert "系统繁忙，请稍后重试" in page and headers["Retry-After"] == "30"
    assert Application.objects.get(pk=application.pk).graduate_school == ""  # nothing was saved
    form = form_of(page)
    assert form.action == url
    assert sorted(form.fields) == sorted(typed), "every field comes back, the CSRF token with them"

    # The database is back: 重新提交 sends the same fields, and the step is saved as typed.
    status, headers, _ = client.request("POST", form.action, form.fields)
    assert status == 302 and headers["Location"].endswith("/family/")
    application.refresh_from_db()
    assert application.graduate_school == "暨南大学" and application.employer == employer
    assert "personal" in application.completed_steps
