"""manage.py import_wxr EXPORT.xml [--media-dir DIR] [--dry-run]: bring a WordPress site's posts in."""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from tqdm import tqdm

from wordpress import wxr
from wordpress.services import SUMMARY_COLUMNS, ImportRun, import_entry, read_prepared, summary_rows

LOG_EVERY_SECONDS = 10


class _DryRunDone(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR): posts with their authors, sections, tags, featured images and comment "
        "threads, and redirects from the old addresses. Safe to run again: it updates in place and carries on "
        "where an interrupted run stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The .xml file from WordPress's Tools > Export or `wp export`.")
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="A copy of the old site's wp-content/uploads; featured images are copied from it.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Read and report, write nothing.")
        parser.add_argument(
            "--progress",
            choices=["auto", "bar", "log"],
            default="auto",
            help="A progress bar (on a terminal, the default there) or a log line every few seconds.",
        )

    def handle(self, *args, export: Path, media_dir: Path | None, dry_run: bool, progress: str, **options):
        if not export.is_file():
            raise CommandError(f"{export}: no such file.")
        if media_dir is not None and not media_dir.is_dir():
            raise CommandError(f"--media-dir {media_dir}: no such directory.")
        run = ImportRun(media_dir=media_dir, dry_run=dry_run)
        bar = progress == "bar" or (progress == "auto" and sys.stderr.isatty())
        self.started = time.monotonic()
        error = None
        try:
            if dry_run:
                # One transaction, rolled back at the end: every lookup sees what the run itself would have
                # written, and nothing stays.
                with transaction.atomic():
                    error = self._import(run, export, bar)
                    raise _DryRunDone
            else:
                error = self._import(run, export, bar)
        except _DryRunDone:
            pass
        except KeyboardInterrupt:
            self._summary(run)
            raise CommandError(
                "Stopped. Every post reported above is imported with its comments; run the same command again "
                "to carry on."
            ) from None
        self._summary(run)
        if error is not None:
            raise CommandError(
                f"{export}: {error}. Everything before that point is imported{' (dry run: nothing was)' * dry_run}; "
                "fix or re-export the file and run the same command again to carry on."
            )

    def _import(self, run: ImportRun, export: Path, bar: bool) -> wxr.WxrError | None:
        size = export.stat().st_size
        posts = comments = position = 0
        last_log = time.monotonic()
        progress = (
            tqdm(total=size, unit="B", unit_scale=True, unit_divisor=1024, desc="Importing", file=sys.stderr)
            if bar
            else None
        )
        try:
            for entry, prepared, position in read_prepared(export):
                import_entry(run=run, entry=entry, prepared=prepared)
                if settings.DEBUG:
                    reset_queries()  # DEBUG keeps every statement's SQL: thousands of bulk inserts add up
                if isinstance(entry, wxr.Item) and entry.post_type == "post":
                    posts += 1
                    comments += len(entry.comments)
                if progress is not None:
                    progress.update(position - progress.n)
                    progress.set_postfix(posts=posts, comments=comments, refresh=False)
                elif time.monotonic() - last_log >= LOG_EVERY_SECONDS:
                    last_log = time.monotonic()
                    self._log_line(position, size, posts, comments)
        except wxr.WxrError as error:
            return error
        finally:
            if progress is not None:
                progress.close()
        if progress is None:
            self._log_line(size, size, posts, comments)
        return None

    def _log_line(self, done: int, size: int, posts: int, comments: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        percent = 100 * done / size if size else 100
        rate = comments / elapsed
        left = (size - done) * elapsed / done if done else 0
        self.stdout.write(
            f"{percent:5.1f}% read, {posts} posts, {comments} comments, {rate:,.0f} comments/s, "
            f"about {left:,.0f} s left"
        )

    def _summary(self, run: ImportRun) -> None:
        elapsed = time.monotonic() - self.started
        header = ["", *SUMMARY_COLUMNS]
        rows = [[name, *(str(n) for n in counts)] for name, counts in summary_rows(run)]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
            for row in [header, *rows]
        ]
        self.stdout.write("")
        self.stdout.write("\n".join(lines))
        for note, count in sorted(run.notes.items()):
            if count:
                self.stdout.write(f"{count:>8}  {note}")
        self.stdout.write(f"Finished in {elapsed:,.1f} s.")
        if run.dry_run:
            self.stdout.write("Dry run: nothing was written.")
