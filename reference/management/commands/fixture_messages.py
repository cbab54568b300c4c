from django.core.management.base import BaseCommand

from reference.fixtures import FIXTURE_MESSAGES_MODULE, fixture_messages_source


class Command(BaseCommand):
    help = "Write reference/fixture_messages.py: the fixtures' names for makemessages to extract."

    def handle(self, *args, **options):
        FIXTURE_MESSAGES_MODULE.write_text(fixture_messages_source(), encoding="utf-8")
        self.stdout.write(f"wrote {FIXTURE_MESSAGES_MODULE}")
