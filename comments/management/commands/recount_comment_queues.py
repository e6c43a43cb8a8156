"""manage.py recount_comment_queues: rebuild the moderation queue counters from the comments themselves."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from comments import triggers
from comments.models import QueueCount


class Command(BaseCommand):
    help = (
        "Recount the comments in each moderation queue (and per quarter hour, for the dashboard chart) and "
        "reinstall the triggers that keep those counts. The counts stay exact on their own; this repairs them "
        "after a restore from backup or a TRUNCATE run by hand."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            triggers.install(connection)
            triggers.recount(connection)
        counts = QueueCount.objects.by_status()
        summary = ", ".join(f"{status} {count:,}" for status, count in sorted(counts.items())) or "no comments"
        self.stdout.write(f"Queue counts: {summary}.")
