"""Object-level access, driven by the URLconf.

Every URL pattern that takes a parameter is found by walking `get_resolver()` (tests/security/
urlwalk.py) and must appear in one of the tables below: OBJECT_URLS (how to build a real object
for it and who may have it) or NOT_OBJECT_IDS (why its parameter is not an object id). A URL added
later without an entry fails `test_every_parameterised_url_is_classified`.

Each object URL is then requested, GET and/or POST with a valid CSRF token, by eight people:
anonymous, the owner, another applicant, the district's reviewer, a reviewer of another district,
a city administrator, the police desk and the employer's administrator. The rightful ones get
200 or a redirect that is not a login page. Everyone else gets 404, or (anonymous) a redirect to a
login page, or a role refusal (403/405) that is exactly what a random id would get, so the answer
never tells whether the object exists. Nothing the wrong people sent changes the database.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.models import EmployerAdmin
from applications.choices import AttachmentKind, Status
from applications.models import AccompanyingPerson, Application, Attachment, LibraryDocument
from audit.models import AuditEntry
from hukou_card.models import HukouCard
from review.models import NoticeEntry, Objection, PublicNotice
from tests import factories
from tests.security.urlwalk import routes

pytestmark = pytest.mark.django_db

ACTORS = (
    "anonymous",
    "owner",
    "other_applicant",
    "reviewer",
    "other_reviewer",
    "city_admin",
    "police",
    "employer_admin",
)
PUBLIC = frozenset(ACTORS)
LOGIN_PATHS = ("/accounts/login/", "/console/login/", "/admin/login/")


@dataclass
class World:
    """The eight people, and the employer the employer administrator administers (天河区)."""

    users: dict
    employer: object

    def __getattr__(self, name):
        try:
            return self.__dict__["users"][name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass(frozen=True)
class Target:
    kwargs: dict
    post: dict | None = None


@dataclass(frozen=True)
class Spec:
    build: Callable[[World], Target]
    rightful: frozenset
    methods: tuple = ("get",)
    why: str = ""


# --- builders: one real object per URL, owned by `owner` in 天河区 unless said otherwise ------------


def _draft(w: World, **fields) -> Application:
    return factories.ApplicationFactory(applicant=w.owner, employer=w.employer, **fields)


def _submitted(w: World, status=Status.SUBMITTED, **fields) -> Application:
    today = timezone.localdate()
    return factories.ApplicationFactory(
        applicant=w.owner,
        employer=w.employer,
        submitted=True,
        status=status,
        accept_due_on=today + datetime.timedelta(days=7),
        accepted_at=timezone.now() if status != Status.SUBMITTED else None,
        decision_due_on=today + datetime.timedelta(days=21),
        **fields,
    )


def _jpeg(name="scan.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, factories.jpeg_bytes(400, 300), content_type="image/jpeg")


def _card(w: World) -> HukouCard:
    app = _submitted(w, Status.PUBLISHED, published_at=timezone.now())
    return factories.HukouCardFactory(
        application=app, pdf=ContentFile(b"%PDF-1.7\n%%EOF\n", name="card.pdf"), pdf_sha256="0" * 64
    )


def _objection(w: World) -> Objection:
    app = _submitted(w, Status.IN_NOTICE)
    notice = factories.PublicNoticeFactory(start_date=timezone.localdate())
    entry = factories.NoticeEntryFactory(notice=notice, application=app)
    return factories.ObjectionFactory(entry=entry)


def _licence_request(w: World) -> EmployerAdmin:
    return factories.EmployerAdminFactory(user=w.owner, status=EmployerAdmin.Status.PENDING)


def b_employer_admin(w):
    right = _licence_request(w)
    return Target({"public_id": right.public_id}, {"note": "不再担任单位管理员"})


def b_draft(w):
    return Target({"public_id": _draft(w).public_id}, {})


def b_ready(w):
    return Target({"public_id": factories.ready_application(applicant=w.owner).public_id}, {})


def b_withdraw(w):
    return Target({"public_id": _draft(w).public_id}, {"confirm": "on", "reason": "暂不申报"})


def b_upload(w):
    return Target({"public_id": _draft(w).public_id}, {"kind": "id_card", "file": _jpeg()})


def b_library_choice(w):
    app = _draft(w)
    document = factories.LibraryDocumentFactory(owner=w.owner, kind=AttachmentKind.ID_CARD)
    return Target({"public_id": app.public_id, "kind": "id_card"}, {"document": str(document.public_id)})


def b_person(w):
    person = factories.AccompanyingPersonFactory(application=_draft(w))
    return Target({"public_id": person.application.public_id, "person_id": person.public_id}, {})


def b_step(w):
    return Target({"public_id": _draft(w).public_id, "step": "commitment"}, {"choice": "agree"})


def b_submitted_attachment(w):
    attachment = factories.AttachmentFactory(application=_submitted(w, Status.UNDER_REVIEW))
    return Target({"public_id": attachment.public_id})


def b_draft_attachment(w):
    return Target({"public_id": factories.AttachmentFactory(application=_draft(w)).public_id}, {})


def b_library_document(w):
    return Target({"public_id": factories.LibraryDocumentFactory(owner=w.owner).public_id}, {})


def b_console_application(w):
    return Target({"public_id": _submitted(w).public_id})


def b_decide(w):
    return Target({"public_id": _submitted(w).public_id, "decision": "accept"}, {})


def b_console_attachment(w):
    attachment = factories.AttachmentFactory(application=_submitted(w, Status.UNDER_REVIEW))
    return Target({"public_id": attachment.application.public_id, "attachment_id": attachment.public_id})


def b_objection(w):
    return Target({"public_id": _objection(w).public_id})


def b_objection_decide(w):
    objection = _objection(w)
    return Target(
        {"public_id": objection.public_id, "decision": "dismiss"},
        {"dismiss-resolution": "经核查，申请人在该单位在职情况属实。"},
    )


def b_notice(w):
    entry = factories.NoticeEntryFactory(application=_submitted(w, Status.IN_NOTICE))
    return Target({"public_id": entry.notice.public_id}, {})


def b_rejected(w):
    return Target({"public_id": _submitted(w, Status.REJECTED).public_id}, {"score": "5", "comment": ""})


def b_employer_page(w):
    _submitted(w)
    return Target({"public_id": w.employer.public_id})


def b_employer_confirmation(w):
    app = _submitted(w)
    return Target({"public_id": app.public_id}, {f"a{app.pk}-decision": "confirmed", f"a{app.pk}-note": ""})


def b_objection_raise(w):
    app = _submitted(w, Status.IN_NOTICE)
    factories.NoticeEntryFactory(
        application=app, notice=factories.PublicNoticeFactory(start_date=timezone.localdate())
    )
    return Target(
        {"public_id": app.public_id},
        {
            "contact_name": "王五",
            "contact_phone": "13900139000",
            "contact_email": "",
            "description": "申请人并未在该单位实际工作，请核查。",
            "captcha_0": "k",
            "captcha_1": "PASSED",
        },
    )


def b_card(w):
    return Target({"public_id": _card(w).public_id}, {"confirm": "on", "reason": ""})


def b_card_link(w):
    card = _card(w)
    return Target({"public_id": card.public_id, "code": card.verification_code})


def b_data_export(w):
    from portal.models import PersonalDataExport

    export = PersonalDataExport.objects.create(
        user=w.owner, status=PersonalDataExport.Status.READY, file=ContentFile(b"PK\x05\x06" + b"\0" * 18, name="x.zip"),
        ready_at=timezone.now(), expires_at=timezone.now() + datetime.timedelta(hours=24),
    )  # fmt: skip
    return Target({"public_id": export.public_id})


OWNER = frozenset({"owner"})
CONSOLE = frozenset({"reviewer", "city_admin"})
POLICE = frozenset({"police"})

OBJECT_URLS: dict[str, Spec] = {
    "accounts:employer_admin_cancel[public_id]": Spec(b_employer_admin, OWNER, ("post",)),
    "accounts:employer_admin_licence[public_id]": Spec(b_employer_admin, OWNER | {"city_admin"}),
    "applications:resume[public_id]": Spec(b_draft, OWNER),
    "applications:submit[public_id]": Spec(b_ready, OWNER, ("post",)),
    "applications:withdraw[public_id]": Spec(b_withdraw, OWNER, ("get", "post")),
    "applications:attachment_upload[public_id]": Spec(b_upload, OWNER, ("post",)),
    "applications:attachment_library[kind,public_id]": Spec(b_library_choice, OWNER, ("get", "post")),
    "applications:person_remove[person_id,public_id]": Spec(b_person, OWNER, ("post",)),
    "applications:step[public_id,step]": Spec(b_step, OWNER, ("get", "post")),
    # Reviewers see attachments of submitted applications of their own district only.
    "applications:attachment_preview[public_id]": Spec(b_submitted_attachment, OWNER | CONSOLE),
    "applications:attachment_delete[public_id]": Spec(b_draft_attachment, OWNER, ("post",)),
    "applications:status_detail[public_id]": Spec(b_draft, OWNER),
    "applications:library_preview[public_id]": Spec(b_library_document, OWNER),
    # The 申报表 of a submitted application: its applicant, and the console of its district.
    "applications:form_pdf[public_id]": Spec(b_console_application, OWNER),
    "review:form_pdf[public_id]": Spec(b_console_application, CONSOLE),
    # 好差评: only the applicant rates their own decided application.
    "rating:rate[public_id]": Spec(b_rejected, OWNER, ("get", "post")),
    "applications:library_delete[public_id]": Spec(b_library_document, OWNER, ("post",)),
    "review:detail[public_id]": Spec(b_console_application, CONSOLE),
    "review:decide[decision,public_id]": Spec(b_decide, CONSOLE, ("post",)),
    "review:attachment[attachment_id,public_id]": Spec(b_console_attachment, CONSOLE),
    "review:objection_detail[public_id]": Spec(b_objection, CONSOLE),
    "review:objection_decide[decision,public_id]": Spec(b_objection_decide, CONSOLE, ("post",)),
    "review:notice_detail[public_id]": Spec(b_notice, CONSOLE),
    "review:notice_close[public_id]": Spec(b_notice, CONSOLE, ("post",)),
    "employer:applications[public_id]": Spec(b_employer_page, frozenset({"employer_admin"})),
    "employer:confirmation[public_id]": Spec(
        b_employer_confirmation, frozenset({"employer_admin"}), ("post",)
    ),
    # The public notice: anyone may read it and object (DESIGN.md §1), by the application's UUID.
    "notices:objection[public_id]": Spec(b_objection_raise, PUBLIC, ("get", "post")),
    "notices:objection_done[public_id]": Spec(b_objection, PUBLIC),
    "hukou_card:download[public_id]": Spec(b_card, OWNER),
    "hukou_card:cancel[public_id]": Spec(b_card, OWNER, ("get", "post")),
    # The QR link printed on the card: the UUID and the card's own code, both needed.
    "hukou_card:verify[code,public_id]": Spec(b_card_link, PUBLIC),
    "hukou_card:police_detail[public_id]": Spec(b_card, POLICE),
    "hukou_card:police_record_used[public_id]": Spec(b_card, POLICE, ("post",)),
    "hukou_card:police_pdf[public_id]": Spec(b_card, POLICE),
    "portal:privacy_export_download[public_id]": Spec(b_data_export, OWNER),
}

# Parameters that are not object ids, and why nothing needs guarding by them.
NOT_OBJECT_IDS: dict[str, str] = {
    "portal:subsystem_add[slug]": "the catalogue's fixed subsystem slug; the same list for every user",
    "portal:content_page[slug]": "a public policy/guide page slug",
    "accounts:password_reset_confirm[token,uidb64]": "Django's signed, expiring reset token "
    "(test_password_reset_link_cannot_be_forged)",
    "captcha-image[key]": "a random captcha key (40 hex), public by design",
    "captcha-image-2x[key]": "a random captcha key (40 hex), public by design",
    "captcha-audio[key]": "a random captcha key (40 hex), public by design",
    "portal:language[code]": "a language code of settings.LANGUAGES, the same for everyone; any other "
    "is 404 (tests/portal/test_translations.py)",
}


# --- the classification -----------------------------------------------------------------------------


def parameterised_routes():
    return [route for route in routes() if route.params and not route.is_admin]


def test_every_parameterised_url_is_classified():
    found = {route.key for route in parameterised_routes()}
    missing = sorted(found - set(OBJECT_URLS) - set(NOT_OBJECT_IDS))
    assert not missing, (
        "New URL(s) with a parameter: add each to OBJECT_URLS (a builder for a real object and the "
        "rightful users) or to NOT_OBJECT_IDS (why the parameter is not an object id) in "
        f"tests/security/test_object_access.py: {missing}"
    )
    stale = sorted((set(OBJECT_URLS) | set(NOT_OBJECT_IDS)) - found)
    assert not stale, f"These URLs no longer exist; remove them from the tables: {stale}"


def test_object_ids_outside_the_admin_are_uuids():
    """No sequential <int:> ids anywhere a member of the public or an applicant can reach."""
    for route in parameterised_routes():
        if route.key in NOT_OBJECT_IDS:
            continue
        for name, kind in route.params.items():
            if name in ("step", "kind", "decision"):
                assert kind == "slug", route.route  # a choice from a fixed list, validated by the view
            elif name == "code":
                assert kind == "str" and route.name == "hukou_card:verify", route.route
            else:
                assert kind == "uuid", f"{route.route}: <{kind}:{name}> is not a UUID"


def test_public_ids_are_random_uuid4():
    """Random (v4) UUIDs: nothing to count up or derive from a time."""
    app = factories.ApplicationFactory()
    objects = [
        app,
        factories.AttachmentFactory(application=app),
        factories.AccompanyingPersonFactory(application=app),
        factories.LibraryDocumentFactory(),
        factories.ObjectionFactory(),
        factories.HukouCardFactory(),
        factories.EmployerAdminFactory(),
    ]
    for obj in objects:
        assert obj.public_id.version == 4, type(obj).__name__
    ids = {obj.public_id for obj in objects}
    assert len(ids) == len(objects)


def test_password_reset_link_cannot_be_forged(client):
    user = factories.UserFactory()
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    for token in ("set-password", "abc-0123456789abcdef", "c9x4mq-" + "0" * 32):
        url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
        response = client.get(url, follow=True)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'name="new_password1"' not in html, token
    assert client.post(url, {"new_password1": "Hacked2024", "new_password2": "Hacked2024"}).status_code == 200
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)


# --- the walk itself -------------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    return make_world()


def make_world() -> World:
    employer = factories.EmployerFactory()
    users = {
        "owner": factories.UserFactory(),
        "other_applicant": factories.UserFactory(),
        "reviewer": factories.ReviewerFactory(district=factories.district("440106")),
        "other_reviewer": factories.ReviewerFactory(district=factories.district("440111")),
        "city_admin": factories.CityAdminFactory(),
        "police": factories.PoliceFactory(),
        "employer_admin": factories.EmployerAdminFactory(employer=employer).user,
    }
    return World(users=users, employer=employer)


@dataclass
class CsrfClient:
    """A client that enforces CSRF, like a browser, and holds a valid token to send with each POST."""

    client: Client
    token: str = field(default="")

    @classmethod
    def make(cls, user=None) -> "CsrfClient":
        client = Client(enforce_csrf_checks=True)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        request = RequestFactory().get("/")
        token = get_token(request)
        client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
        return cls(client, token)

    def request(self, method: str, url: str, data: dict | None):
        if method == "get":
            return self.client.get(url)
        payload = {**(data or {}), "csrfmiddlewaretoken": self.token}
        for value in payload.values():
            if hasattr(value, "seek"):
                value.seek(0)
        return self.client.post(url, payload)


def fingerprint() -> tuple:
    """What a wrong request must not change."""
    return (
        list(Application.objects.order_by("pk").values_list("pk", "status", "employer_confirmation")),
        Attachment.objects.count(),
        LibraryDocument.objects.count(),
        AccompanyingPerson.objects.count(),
        AuditEntry.objects.count(),
        list(Objection.objects.order_by("pk").values_list("pk", "status")),
        Objection.objects.count(),
        list(PublicNotice.objects.order_by("pk").values_list("pk", "status")),
        NoticeEntry.objects.count(),
        list(HukouCard.objects.order_by("pk").values_list("pk", "status")),
        list(EmployerAdmin.objects.order_by("pk").values_list("pk", "status")),
    )


def _in_savepoint(client: CsrfClient, method: str, url: str, data: dict | None):
    """Send one request and undo whatever it wrote, so every actor meets the same world."""
    with transaction.atomic():
        response = client.request(method, url, data)
        transaction.set_rollback(True)
    return response


def _location(response) -> str:
    return response.get("Location", "")


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and _location(response).startswith(LOGIN_PATHS)


def _with_random_ids(kwargs: dict, route_params: dict) -> dict:
    return {k: (uuid.uuid4() if route_params.get(k) == "uuid" else v) for k, v in kwargs.items()}


OBJECT_ROUTES = {route.key: route for route in parameterised_routes() if route.key in OBJECT_URLS}


@pytest.mark.parametrize("key", sorted(OBJECT_URLS))
def test_only_the_rightful_users_reach_the_object(key, world):
    spec = OBJECT_URLS[key]
    route = OBJECT_ROUTES[key]
    target = spec.build(world)
    url_name = route.name
    url = reverse(url_name, kwargs=target.kwargs)
    random_url = reverse(url_name, kwargs=_with_random_ids(target.kwargs, route.params))
    clients = {
        actor: CsrfClient.make(None if actor == "anonymous" else world.users[actor]) for actor in ACTORS
    }
    before = fingerprint()

    for actor in (a for a in ACTORS if a not in spec.rightful):
        for method in spec.methods:
            response = _in_savepoint(clients[actor], method, url, target.post)
            where = f"{method.upper()} {url} as {actor}"
            if response.status_code == 404:
                continue
            if actor == "anonymous":
                assert _is_login_redirect(response), f"{where}: {response.status_code} {_location(response)}"
            else:
                # A role refusal is acceptable only if a made-up id gets the very same answer.
                assert response.status_code in (403, 405), (
                    f"{where}: {response.status_code} {_location(response)}"
                )
            same = _in_savepoint(clients[actor], method, random_url, target.post)
            assert (same.status_code, _location(same).split("?")[0]) == (
                response.status_code,
                _location(response).split("?")[0],
            ), f"{where}: the answer differs for a random id, so it reveals the object exists"
    assert fingerprint() == before, f"{key}: a request by someone without the right changed data"

    for actor in sorted(spec.rightful):
        for method in spec.methods:
            response = _in_savepoint(clients[actor], method, url, target.post)
            where = f"{method.upper()} {url} as {actor}"
            assert response.status_code in (200, 302), f"{where}: {response.status_code}"
            if response.status_code == 302:
                assert not _is_login_redirect(response), f"{where}: sent to log in"
                assert "forbidden" not in _location(response), f"{where}: {_location(response)}"
    assert fingerprint() == before


# --- the Django admin ------------------------------------------------------------------------------------


def _admin_object_id(model) -> str:
    obj = model._default_manager.order_by("pk").first()
    return str(obj.pk) if obj is not None else "1"


def admin_object_routes():
    return [route for route in routes() if route.is_admin and route.params]


def test_admin_object_urls_are_for_city_administrators_only(world):
    """Every admin URL with an object id: anonymous and every non-staff role are sent to the admin
    login (the admin says nothing about objects to them); the city administrator gets the page."""
    from django.contrib import admin

    factories.HukouCardFactory()
    factories.ObjectionFactory()
    factories.QuotaFactory()
    models_by_prefix = {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_": model for model in admin.site._registry
    }
    checked = 0
    staff = Client()
    staff.force_login(world.city_admin, backend="django.contrib.auth.backends.ModelBackend")
    others = {"anonymous": Client()}
    for actor in ("owner", "reviewer", "police", "employer_admin"):
        others[actor] = Client()
        others[actor].force_login(world.users[actor], backend="django.contrib.auth.backends.ModelBackend")

    for route in admin_object_routes():
        if route.name == "admin:app_list":
            url = reverse(route.name, kwargs={"app_label": "applications"})
        elif route.name == "admin:auth_user_password_change":
            url = reverse(route.name, kwargs={"id": world.owner.pk})
        elif route.name == "admin:view_on_site":
            continue  # redirects to the object's own public URL; nothing of the admin is shown
        elif route.route.endswith("(?P<url>.*)$"):
            url = "/admin/applications/application/123/no-such-page/"
        else:
            prefix = next((p for p in models_by_prefix if route.name.startswith(p)), None)
            if prefix is not None:
                object_id = _admin_object_id(models_by_prefix[prefix])
                url = reverse(route.name, kwargs={"object_id": object_id})
            else:
                # An unnamed "<path:object_id>/" redirect of one model's admin.
                object_id = "1"
                url = "/" + route.route.replace("<path:object_id>", object_id)
        for actor, client in others.items():
            response = client.get(url)
            assert response.status_code == 302 and _location(response).startswith("/admin/login/"), (
                f"{url} as {actor}: {response.status_code} {_location(response)}"
            )
        assert staff.get(url).status_code in (200, 301, 302, 403), url
        checked += 1
    assert checked > 50  # the walk really found the admin's object URLs
