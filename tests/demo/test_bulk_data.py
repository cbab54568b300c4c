"""The benchmark's data generator makes valid, realistic rows (small run, on PostgreSQL)."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import Employer, User
from accounts.validators import validate_credit_code, validate_id_number
from applications.models import AccompanyingPerson, Application
from audit.models import AuditEntry
from hukou_card.models import HukouCard
from quota.models import Quota
from review.models import NoticeEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_generator_fills_every_table_with_valid_rows():
    call_command("generate_bulk_data", applications=2000, employers=100, stdout=open("/dev/null", "w"))

    applicants = User.objects.filter(username__startswith="bulk_")
    assert applicants.count() == 2000
    for user in applicants[:200]:
        validate_id_number("resident_id", user.id_number)
    for employer in Employer.objects.filter(name__endswith="（批量）")[:100]:
        validate_credit_code(employer.credit_code)
    for person in AccompanyingPerson.objects.all()[:200]:
        validate_id_number("resident_id", person.id_number)

    apps = Application.objects.filter(applicant__in=applicants)
    statuses = dict(apps.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == {
        "draft", "submitted", "under_review", "returned", "in_notice", "published", "rejected", "withdrawn",
    }  # fmt: skip
    assert apps.values("district").distinct().count() == 11
    assert not apps.filter(status="draft", number__isnull=False).exists()
    assert AuditEntry.objects.filter(application__in=apps, action="submit").count() == apps.exclude(status="draft").count()
    assert NoticeEntry.objects.filter(application__in=apps).count() == apps.filter(status__in=["in_notice", "published"]).count()
    assert HukouCard.objects.filter(application__in=apps).count() == statuses["published"]
    for quota in Quota.objects.all():
        assert quota.reserved + quota.used <= quota.total_places


def test_generator_refuses_to_run_twice():
    from django.core.management.base import CommandError

    call_command("generate_bulk_data", applications=50, employers=10, stdout=open("/dev/null", "w"))
    with pytest.raises(CommandError, match="already present"):
        call_command("generate_bulk_data", applications=50, employers=10)
