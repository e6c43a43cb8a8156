"""manage.py purge_spam --older-than DAYS [--dry-run]: delete old spam in batches, with a progress bar."""

import argparse
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count

from comments import moderation
from comments.models import Comment, CommentEvent


def whole_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of days (use 0 for all spam)") from None
    if days < 0:
        raise argparse.ArgumentTypeError(f"{value!r} is negative: use a whole number of days, 0 or more")
    return days


def batch_size(value: str) -> int:
    try:
        size = int(value)
    except ValueError:
        size = 0
    if not 1 <= size <= 50_000:
        raise argparse.ArgumentTypeError(f"{value!r} is not a batch size between 1 and 50000")
    return size


class Command(BaseCommand):
    help = (
        "Delete spam comments older than DAYS days (0: all spam), and blatant spam older than its shorter limit, "
        "in batches. Comments with replies that stay are kept as removed tombstones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=whole_days,
            metavar="DAYS",
            help=f"Age in whole days; 0 means all spam. Default: SPAM_RETENTION_DAYS ({settings.SPAM_RETENTION_DAYS}).",
        )
        parser.add_argument(
            "--blatant-older-than",
            type=whole_days,
            metavar="DAYS",
            help="Age for blatant spam (Akismet's discard verdict). "
            f"Default: BLATANT_SPAM_RETENTION_DAYS ({settings.BLATANT_SPAM_RETENTION_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the purge to the task worker instead of running it here; on a worker backend it then "
            "runs again every day by itself.",
        )
        parser.add_argument("--batch-size", type=batch_size, default=moderation.BATCH_SIZE, help=argparse.SUPPRESS)

    def handle(self, *args, older_than=None, blatant_older_than=None, dry_run=False, enqueue=False, **options):
        if enqueue:
            if dry_run:
                raise CommandError("--enqueue and --dry-run do not go together.", returncode=2)
            result = moderation.purge_spam_task.enqueue(
                older_than_days=older_than, blatant_older_than_days=blatant_older_than
            )
            self.stdout.write(f"Spam purge handed to the task backend (task {result.id}, {result.status}).")
            return
        older = settings.SPAM_RETENTION_DAYS if older_than is None else older_than
        blatant = settings.BLATANT_SPAM_RETENTION_DAYS if blatant_older_than is None else blatant_older_than
        if older < 0 or blatant < 0:
            raise CommandError("Retention days must be 0 or more; check SPAM_RETENTION_DAYS.", returncode=2)
        what = moderation.describe_purge(older_than_days=older, blatant_older_than_days=blatant)
        target = moderation.spam_to_purge(older_than_days=older, blatant_older_than_days=blatant)
        if dry_run:
            counts = dict(target.order_by().values_list("is_blatant").annotate(n=Count("pk")))
            total = sum(counts.values())
            self.stdout.write(
                f"Dry run: {total:,} spam comment(s) would be deleted ({what}); "
                f"{counts.get(True, 0):,} of them blatant. Nothing was deleted."
            )
            return
        total = target.count()
        if not total:
            self.stdout.write(f"No spam to purge ({what}).")
            return
        bar = ProgressBar(self.stdout, total)
        started = time.monotonic()
        result = moderation.empty_spam(
            moderator=None,
            older_than_days=older,
            blatant_older_than_days=blatant,
            action="Purged spam (command)",
            progress=bar.advance,
            batch_size=options["batch_size"],
        )
        bar.finish()
        analyze_tables(Comment, CommentEvent)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Purged {what}: {result} in {elapsed:.1f} s"),
        )


def analyze_tables(*models) -> None:
    """Refresh the planner's statistics for tables a bulk delete just changed.

    PostgreSQL's autovacuum gets there eventually; until it does, plans are made for a table that no longer
    exists (after a purge of a million spam comments, one a hundredth of the size it believes).
    """
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class ProgressBar:
    """A one-line bar on a terminal; a line every tenth of the way in a log."""

    WIDTH = 30

    def __init__(self, out, total: int):
        self.out, self.total, self.done = out, total, 0
        self.tty = out.isatty()
        self.next_tenth = 1

    def advance(self, count: int) -> None:
        self.done += count
        share = min(self.done / self.total, 1.0)
        if self.tty:
            filled = int(share * self.WIDTH)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.out.write(f"\r[{bar}] {share:4.0%} {self.done:,}/{self.total:,}", ending="")
            self.out.flush()
        elif share * 10 >= self.next_tenth:
            self.out.write(f"{share:4.0%} {self.done:,}/{self.total:,}")
            self.next_tenth = int(share * 10) + 1

    def finish(self) -> None:
        if self.tty:
            self.out.write("")
