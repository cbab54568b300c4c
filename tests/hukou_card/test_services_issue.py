"""Issuing cards: one per person, idempotent, exactly one PDF per card even after a crash."""

import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from applications.choices import Status
from audit.actions import AuditAction
from audit.models import AuditEntry
from hukou_card import services
from hukou_card.models import ApprovalNumberSequence, HukouCard
from tests.builders import build_application

# Files are stored here: each test runs on the local folder and on a bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]


def _pdf_files(storage, card) -> list[str]:
    folder = f"cards/{card.issued_on:%Y}"
    _dirs, files = storage.listdir(folder)
    return [name for name in files if name.startswith(card.public_id.hex)]


def test_main_and_each_accompanying_person_get_their_own_card(issued_cards, published_application):
    assert [c.move_type for c in issued_cards] == ["主迁", "随迁", "随迁"]
    main, spouse, son = issued_cards
    assert main.holder_name == published_application.full_name
    assert main.holder_id_number == published_application.id_number
    assert {spouse.relation, son.relation} == {"配偶", "儿子"}
    assert spouse.main_card == main and son.main_card == main and main.main_card is None
    assert len({c.number for c in issued_cards}) == 3
    assert len({c.verification_code for c in issued_cards}) >= 2
    for card in issued_cards:
        assert card.status == HukouCard.Status.VALID
        assert card.issuing_bureau == "广州市黄埔区人力资源和社会保障局"
        assert card.approval_number == main.approval_number
        assert card.issued_on == timezone.localdate()
        assert card.valid_until == card.issued_on + datetime.timedelta(days=90)
        assert card.pdf and card.pdf_sha256 and card.rendered_at


def test_approval_number_runs_per_district_and_year(issued_cards):
    year = timezone.localdate().year
    assert issued_cards[0].approval_number == f"穗埔人社引〔{year}〕1号"
    second = build_application(Status.PUBLISHED, district="440112", issue_cards=False)
    other_district = build_application(Status.PUBLISHED, district="440106", issue_cards=False)
    [card2] = services.cards_issue_for_application(application_id=second.pk)
    [card3] = services.cards_issue_for_application(application_id=other_district.pk)
    assert card2.approval_number == f"穗埔人社引〔{year}〕2号"
    assert card3.approval_number == f"穗天人社引〔{year}〕1号"
    assert ApprovalNumberSequence.objects.get(district__code="440112", year=year).last_number == 2


def test_second_run_creates_and_renders_nothing_new(issued_cards, published_application):
    before = {c.pk: (c.number, c.pdf.name, c.pdf_sha256, c.rendered_at) for c in issued_cards}
    audits = AuditEntry.objects.filter(action=AuditAction.CARD_ISSUE).count()
    with mock.patch("hukou_card.services.render_card") as render:
        again = services.cards_issue_for_application(application_id=published_application.pk)
    render.assert_not_called()
    assert {c.pk: (c.number, c.pdf.name, c.pdf_sha256, c.rendered_at) for c in again} == before
    assert HukouCard.objects.count() == 3
    assert AuditEntry.objects.filter(action=AuditAction.CARD_ISSUE).count() == audits == 1


def test_issue_is_audited_on_the_application(issued_cards, published_application):
    entry = AuditEntry.objects.get(application=published_application, action=AuditAction.CARD_ISSUE)
    assert issued_cards[0].approval_number in entry.reason
    assert all(card.number in entry.reason for card in issued_cards)
    assert entry.actor is None and entry.actor_role == "system"


def test_applicant_is_told_once_when_the_cards_are_ready(issued_cards, published_application):
    messages = [m for m in mail.outbox if "入户信息卡已核发" in m.subject]
    assert len(messages) == 1
    assert issued_cards[0].number in messages[0].body
    assert "您申请办理的引进人才入户业务已审核通过" in messages[0].body
    services.cards_issue_for_application(application_id=published_application.pk)
    assert len([m for m in mail.outbox if "入户信息卡已核发" in m.subject]) == 1


@pytest.mark.parametrize("status", [Status.IN_NOTICE, Status.REJECTED, Status.UNDER_REVIEW])
def test_unpublished_application_gets_no_card(status):
    application = build_application(status)
    with pytest.raises(services.CardIssueRefused):
        services.cards_issue_for_application(application_id=application.pk)
    assert not HukouCard.objects.exists()


def test_a_crash_while_rendering_leaves_rows_that_a_rerun_completes(published_application):
    """A worker killed mid-way: the rows exist, one PDF is missing; the redelivered task finishes."""
    real_render = services.render_card
    calls = {"n": 0}

    def flaky(data):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("worker lost")
        return real_render(data)

    with mock.patch("hukou_card.services.render_card", side_effect=flaky), pytest.raises(OSError):
        services.cards_issue_for_application(application_id=published_application.pk)
    cards = list(HukouCard.objects.filter(application=published_application))
    assert len(cards) == 3
    assert sum(1 for c in cards if c.pdf) == 1
    numbers_before = {c.pk: c.number for c in cards}

    again = services.cards_issue_for_application(application_id=published_application.pk)
    assert {c.pk: c.number for c in again} == numbers_before
    assert all(c.pdf for c in again)
    for card in again:
        assert len(_pdf_files(card.pdf.storage, card)) == 1


def test_a_file_left_by_a_run_that_never_committed_is_overwritten_not_duplicated(published_application):
    """The worker wrote the PDF and died before its commit: the next run reuses the same name."""
    cards = services._cards_create(application_id=published_application.pk)
    main = next(c for c in cards if c.is_main)
    storage = main.pdf.storage
    name = HukouCard._meta.get_field("pdf").generate_filename(main, "x.pdf")
    storage.save(name, ContentFile(b"half-written"))
    assert storage.exists(name)

    services.cards_issue_for_application(application_id=published_application.pk)
    main.refresh_from_db()
    assert main.pdf.name == name
    assert len(_pdf_files(storage, main)) == 1
    with main.pdf.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-")


def test_force_rerender_replaces_the_pdf_in_place(main_card):
    old_name, old_sha = main_card.pdf.name, main_card.pdf_sha256
    card = services.card_render(card_id=main_card.pk, force=True)
    assert card.pdf.name == old_name
    assert card.pdf_sha256 != old_sha  # a new signature (new signing time)
    assert len(_pdf_files(card.pdf.storage, card)) == 1


def test_card_numbers_carry_district_and_year(issued_cards):
    year = timezone.localdate().year % 100
    for card in issued_cards:
        assert re.fullmatch(rf"440112{year:02d}\d{{9}}", card.number)


def test_card_pdfs_live_in_private_storage_without_a_public_url(
    main_card, client, private_storage_mode, request
):
    from django.conf import settings

    if private_storage_mode == "bucket":
        bucket = request.getfixturevalue("bucket")
        assert main_card.pdf.name in bucket.keys()
        with pytest.raises(NotImplementedError):
            main_card.pdf.url  # noqa: B018 - no presigned link can be made of it
    else:
        assert main_card.pdf.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    for path in (f"/{main_card.pdf.name}", f"/media/{main_card.pdf.name}", f"/static/{main_card.pdf.name}"):
        assert client.get(path).status_code == 404


def test_card_data_of_a_talent_without_title_prints_none():
    application = build_application(
        Status.PUBLISHED,
        issue_cards=False,
        professional_title="无",
        skill_qualification="技师（二级）",
        skill_occupation="电工",
        shortage_occupation="",
        position="",
    )
    [card] = services.cards_issue_for_application(application_id=application.pk)
    data = services.card_data(card)
    assert data.professional_title == "无"
    assert data.skill_qualification == "技师（二级） 电工"
    assert data.shortage_occupation == "无"
    assert data.position == "无"
    assert data.companions == ()


def test_issue_task_is_redelivered_after_a_lost_worker_and_retries_a_bounded_number_of_times():
    from hukou_card.tasks import issue_cards_for_application

    task = issue_cards_for_application
    assert task.acks_late and task.reject_on_worker_lost
    assert task.max_retries == 5
    assert Exception in task.autoretry_for
    assert services.CardIssueRefused in task.dont_autoretry_for


def test_issue_task_returns_the_card_numbers(published_application):
    from hukou_card.tasks import issue_cards_for_application

    numbers = issue_cards_for_application.delay(published_application.pk).get()
    assert sorted(numbers) == sorted(HukouCard.objects.values_list("number", flat=True))
    assert len(numbers) == 3
