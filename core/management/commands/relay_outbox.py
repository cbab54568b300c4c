"""`manage.py relay_outbox`: publish the outbox's pending jobs now (what beat does every minute)."""

from django.core.management.base import BaseCommand

from core.outbox import outbox_backlog, outbox_relay


class Command(BaseCommand):
    help = "Publish pending outbox jobs to the broker, oldest first; exits 1 if the broker refused one."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="publish at most this many jobs")

    def handle(self, *args, limit=None, **options):
        result = outbox_relay(limit=limit)
        pending, oldest = outbox_backlog()
        self.stdout.write(
            f"sent {result.sent}, failed {result.failed}, purged {result.purged}; "
            f"pending {pending}, oldest {oldest:.0f} s"
        )
        if result.failed:
            raise SystemExit(1)
