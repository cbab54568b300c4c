"""The page cache for anonymous readers (the public notice) never keeps what belongs to one visitor:
a flash message, a cookie set on the way out, or anything read from a session. A second, fresh
visitor must get the page as it is for everybody."""

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path

from core.cache import cached_anonymous_page
from tests import factories

pytestmark = pytest.mark.django_db

NOTICE = "/notice/"
LOGGED_OUT = "您已安全退出系统"


def test_the_logout_message_is_not_served_to_the_next_visitor():
    leaving = Client()
    leaving.force_login(factories.UserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    shown = leaving.post("/accounts/logout/", {"next": NOTICE}, follow=True)
    assert shown.redirect_chain[-1][0] == NOTICE
    assert LOGGED_OUT in shown.content.decode()  # the one who logged out sees it, once

    stranger = Client().get(NOTICE)
    assert stranger.status_code == 200
    assert LOGGED_OUT not in stranger.content.decode()
    assert LOGGED_OUT not in leaving.get(NOTICE).content.decode()


def test_a_visitor_with_a_pending_message_is_not_served_the_cached_page():
    Client().get(NOTICE)  # the page is cached for everybody
    leaving = Client()
    leaving.force_login(factories.UserFactory(), backend="django.contrib.auth.backends.ModelBackend")
    shown = leaving.post("/accounts/logout/", {"next": NOTICE}, follow=True)
    assert LOGGED_OUT in shown.content.decode()


# Pages cached the same way whose responses carry a cookie: set by the view itself, or on the way
# out by Django's middleware (CSRF, messages, session).
calls: list[str] = []


@cached_anonymous_page(version_name="test-cookie-pages")
def sets_a_cookie(request):
    calls.append("cookie")
    response = HttpResponse(f"render {len(calls)}")
    response.set_cookie("visitor", str(len(calls)))
    return response


@cached_anonymous_page(version_name="test-cookie-pages")
def uses_the_csrf_token(request):
    calls.append("csrf")
    return HttpResponse(f"<form><input name=csrfmiddlewaretoken value={get_token(request)}></form>")


@cached_anonymous_page(version_name="test-cookie-pages")
def adds_a_message(request):
    calls.append("message")
    messages.info(request, "只给这一位访客看的提示")
    return HttpResponse(f"render {len(calls)}")


@cached_anonymous_page(version_name="test-cookie-pages")
def writes_the_session(request):
    calls.append("session")
    request.session["visited"] = True
    return HttpResponse(f"render {len(calls)}")


@cached_anonymous_page(version_name="test-cookie-pages")
def plain(request):
    calls.append("plain")
    return HttpResponse(f"render {len(calls)}")


urlpatterns = [
    path("cookie/", sets_a_cookie),
    path("csrf/", uses_the_csrf_token),
    path("message/", adds_a_message),
    path("session/", writes_the_session),
    path("plain/", plain),
]


@pytest.fixture
def cookie_pages(settings):
    settings.ROOT_URLCONF = __name__
    calls.clear()
    yield


@pytest.mark.parametrize(
    ("url", "cookie"),
    [("/cookie/", "visitor"), ("/csrf/", "csrftoken"), ("/message/", "messages"), ("/session/", "sessionid")],
)
def test_a_response_that_sets_a_cookie_is_never_stored(cookie_pages, url, cookie):
    first = Client().get(url)
    assert cookie in first.cookies  # the response does set it
    second = Client().get(url)
    assert len(calls) == 2, "the second visitor was served the first one's response"
    assert cookie in second.cookies
    if url == "/csrf/":
        assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
        assert get_token_in(first) not in second.content.decode()


def get_token_in(response) -> str:
    return response.content.decode().split("value=")[1].split(">")[0]


def test_a_plain_anonymous_page_is_still_cached(cookie_pages):
    first = Client().get("/plain/")
    second = Client().get("/plain/")
    assert first.content == second.content == b"render 1"
    assert calls == ["plain"]


def test_a_visitor_with_a_session_is_neither_served_nor_stored(cookie_pages):
    Client().get("/plain/")
    with_session = Client()
    with_session.get("/session/")  # the visitor now has a session (a registration draft, say)
    assert with_session.get("/plain/").content == b"render 3"
    assert Client().get("/plain/").content == b"render 1"
