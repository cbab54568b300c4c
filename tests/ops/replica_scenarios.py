"""Run by tests/ops/test_read_replica.py, inside its private primary and streaming replica.

DATABASE_URL is the primary and DATABASE_REPLICA_URL the hot standby replicating it; the test
database made on the primary reaches the standby by replication (the `replica` alias mirrors it,
config/settings.py). Lag is made, not hoped for: the standby's replay is paused, the primary
written, and what each page shows compared.
"""

import os
import socket

import pytest
from django.db import connections, transaction
from django.urls import reverse

from accounts.models import User
from applications.choices import Status
from applications.models import Application
from core import replica
from hukou_card import services as card_services
from hukou_card.models import HukouCard
from review import services as review_services
from tests import factories
from tests.builders import build_application
from tests.ops.pg_clusters import connect, wait_for

if "replica" not in connections.settings:
    pytest.skip("runs only inside tests/ops/test_read_replica.py's clusters", allow_module_level=True)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

REPLICA_PORT = int(os.environ["REPLICA_ADMIN_PORT"])
LIST = reverse("notices:list")


def _caught_up() -> bool:
    return replica.replica_has_replayed(replica.primary_position())


class Replay:
    """The standby's replay, paused and resumed: while paused, what the primary writes is not on
    the replica."""

    def __init__(self):
        self.standby = connect(REPLICA_PORT)

    def _state(self) -> str:
        with self.standby.cursor() as cursor:
            cursor.execute("SELECT pg_get_wal_replay_pause_state()")
            return cursor.fetchone()[0]

    def pause(self) -> None:
        wait_for(_caught_up, what="the replica to replay what came before the pause")
        with self.standby.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
        wait_for(lambda: self._state() == "paused", what="replay to pause")

    def resume(self) -> None:
        with self.standby.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        wait_for(_caught_up, what="the replica to catch up after the pause")


@pytest.fixture
def replay():
    controller = Replay()
    yield controller
    controller.resume()
    controller.standby.close()


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def test_the_replica_alias_is_the_standby_and_default_the_primary():
    assert _in_recovery("replica") is True
    assert _in_recovery("default") is False


def test_only_reads_inside_reads_from_replica_go_to_the_replica():
    assert Application.objects.all().db == "default"
    with replica.reads_from_replica():
        assert Application.objects.all().db == "replica"
        assert HukouCard.objects.all().db == "replica"
        # Read right after the visitor's own writes (login, password change): never the copy.
        assert User.objects.all().db == "default"
        with transaction.atomic():
            assert Application.objects.all().db == "default"  # inside a write's transaction
    assert Application.objects.all().db == "default"


def test_the_public_notice_shows_the_replica_and_the_applicant_the_primary(client, login_client, replay):
    employer = factories.EmployerFactory(name="广州南沙港航物流有限公司")
    app = build_application(Status.UNDER_REVIEW, full_name="李明远", employer=employer)
    reviewer = factories.ReviewerFactory(district=app.district)
    search = {"employer": "南沙港航"}
    assert "李*远" not in client.get(LIST, search).content.decode()

    replay.pause()
    review_services.application_approve(application_id=app.pk, by=reviewer)
    # The primary has it in the notice; the standby, paused, does not yet.
    assert Application.objects.get(pk=app.pk).status == Status.IN_NOTICE
    assert Application.objects.using("replica").get(pk=app.pk).status == Status.UNDER_REVIEW
    stale = client.get(LIST, search).content.decode()
    assert "李*远" not in stale, "the public notice is read from the replica, which lags"
    # The applicant follows their own application on the primary, never on a copy that lags.
    own = login_client(app.applicant).get(reverse("applications:status")).content.decode()
    assert str(Status.IN_NOTICE.label) in own

    replay.resume()
    assert "李*远" in client.get(LIST, search).content.decode(), (
        "the page rendered during the lag must not have been kept in the cache"
    )
    assert "李*远" in client.get(LIST, search).content.decode()  # and now it is, from the cache


def test_card_verification_reads_the_replica_and_asks_the_primary_on_a_miss(client, replay):
    replay.pause()
    app = build_application(Status.PUBLISHED, subcategory="3.2", district="440112")
    card = HukouCard.objects.get(application=app, main_card__isnull=True)
    link = reverse("hukou_card:verify", kwargs={"public_id": card.public_id, "code": card.verification_code})
    assert not HukouCard.objects.using("replica").filter(pk=card.pk).exists()
    response = client.get(link)
    assert response.status_code == 200, "a card not yet on the replica is found on the primary"
    assert 'data-status="valid"' in response.content.decode()

    replay.resume()
    replay.pause()
    card_services.card_cancel(card_id=card.pk, by=app.applicant, reason="放弃入户")
    # The replica still has the card valid: the public page reads it, a moment late by design.
    assert 'data-status="valid"' in client.get(link).content.decode()

    replay.resume()
    assert 'data-status="cancelled"' in client.get(link).content.decode()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def test_a_replica_that_is_down_costs_the_public_pages_nothing_but_speed(client, caplog):
    employer = factories.EmployerFactory(name="广州黄埔氢能科技有限公司")
    build_application(Status.IN_NOTICE, full_name="周若涵", employer=employer)
    standby = connections["replica"]
    port = standby.settings_dict["PORT"]
    standby.close()
    standby.settings_dict["PORT"] = str(_closed_port())
    try:
        page = client.get(LIST, {"employer": "黄埔氢能"})
        assert page.status_code == 200 and "周*涵" in page.content.decode()
        assert "read replica unreachable; the public pages read the primary" in caplog.text
    finally:
        standby.close()
        standby.settings_dict["PORT"] = port
