"""`manage.py purge_spam` and the scheduled purge task."""

import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comments.models import Comment, ModerationRecord
from comments.moderation import purge_spam_task

pytestmark = pytest.mark.django_db

Status = Comment.Status
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def aged(article):
    def make(n: int, *, days: float, status=Status.SPAM, blatant=False):
        when = timezone.now() - timedelta(days=days)
        Comment.objects.bulk_create(
            [
                Comment(
                    article=article,
                    author_name="x",
                    author_email=f"x{i}@spam.example",
                    body="spam",
                    status=status,
                    is_blatant=blatant,
                    submitted_at=when,
                )
                for i in range(n)
            ]
        )

    return make


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_spam", *args, stdout=out)
    return out.getvalue()


def test_purges_spam_older_than_days_in_batches_with_progress_and_summary(aged):
    aged(40, days=20)
    aged(7, days=3)
    aged(5, days=30, status=Status.PUBLISHED)
    output = purge("--older-than", "15", "--batch-size", "9")
    assert Comment.objects.spam().count() == 7
    assert Comment.objects.published().count() == 5
    assert "100% 40/40" in output
    assert "Purged spam older than 15 days" in output and "40 deleted" in output
    record = ModerationRecord.objects.get()
    assert (record.actor, record.action, record.count) == (None, "Purged spam (command)", 40)


def test_zero_days_means_all_spam(aged):
    aged(10, days=0.01)
    aged(3, days=100)
    purge("--older-than", "0")
    assert not Comment.objects.spam().exists()


def test_blatant_spam_goes_sooner(aged, settings):
    settings.SPAM_RETENTION_DAYS = 15
    settings.BLATANT_SPAM_RETENTION_DAYS = 1
    aged(4, days=3, blatant=True)
    aged(6, days=3)
    output = purge()
    assert Comment.objects.spam().count() == 6 and not Comment.objects.filter(is_blatant=True).exists()
    assert "blatant spam older than 1 days" in output


def test_dry_run_counts_and_deletes_nothing(aged):
    aged(12, days=40)
    aged(3, days=40, blatant=True)
    output = purge("--older-than", "15", "--dry-run")
    assert "15 spam comment(s) would be deleted" in output and "3 of them blatant" in output
    assert Comment.objects.spam().count() == 15
    assert not ModerationRecord.objects.exists()


def test_purge_refreshes_the_planners_statistics_of_the_tables_it_emptied(aged):
    aged(30, days=40)
    with CaptureQueriesContext(connection) as ctx:
        purge("--older-than", "0")
    analyzed = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("ANALYZE")]
    assert any("comments_comment" in sql and "event" not in sql for sql in analyzed)
    assert any("comments_commentevent" in sql for sql in analyzed)


def test_nothing_to_purge(aged):
    aged(2, days=1)
    assert "No spam to purge" in purge("--older-than", "15")


def test_spam_with_a_real_reply_stays_as_a_tombstone(article, make_comment):
    parent = make_comment(article, status=Status.SPAM, submitted_at=timezone.now() - timedelta(days=40))
    reply = make_comment(article, parent=parent)
    output = purge("--older-than", "15")
    assert Comment.objects.get(pk=parent.pk).status == Status.REMOVED
    assert Comment.objects.get(pk=reply.pk).status == Status.PUBLISHED
    assert "1 kept" in output


@pytest.mark.parametrize("days", ["abc", "1.5", "-3", ""])
def test_bad_days_raise_a_clear_error(days):
    with pytest.raises(CommandError, match="whole number|negative"):
        purge("--older-than", days)


@pytest.mark.parametrize("days", ["abc", "-1", "2.5"])
def test_bad_days_on_the_command_line_exit_2_without_traceback(days):
    run = subprocess.run(
        [sys.executable, "manage.py", "purge_spam", "--older-than", days],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "--older-than" in run.stderr and ("whole number" in run.stderr or "negative" in run.stderr)


def test_scheduled_task_uses_the_retention_settings(aged, settings):
    settings.SPAM_RETENTION_DAYS = 10
    settings.BLATANT_SPAM_RETENTION_DAYS = 2
    aged(5, days=11)
    aged(3, days=5)
    aged(2, days=5, blatant=True)
    result = purge_spam_task.enqueue()
    assert result.return_value == {"deleted": 7, "tombstoned": 0}
    assert Comment.objects.spam().count() == 3
    assert ModerationRecord.objects.get().action == "Purged spam (schedule)"


def test_on_a_worker_backend_each_purge_books_the_next_one(aged, settings):
    from django_tasks import task_backends

    # django-tasks resets its backends when TASKS changes; the dummy backend keeps what is enqueued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    aged(3, days=40)
    assert purge_spam_task.call() == {"deleted": 3, "tombstoned": 0}
    backend = task_backends["default"]
    assert len(backend.results) == 1
    booked = backend.results[0]
    assert booked.task.func is purge_spam_task.func
    assert timedelta(hours=23) < booked.task.run_after - timezone.now() <= timedelta(days=1)
    assert booked.kwargs == {"booked": True}
    # A run before the booked one books nothing more: one waiting run is enough.
    purge_spam_task.call()
    assert len(backend.results) == 1
    # The booked run, when its time comes, books the next.
    purge_spam_task.call(**booked.kwargs)
    assert len(backend.results) == 2
    assert "handed to the task backend" in purge("--enqueue")
    assert len(backend.results) == 3


def test_enqueue_with_the_immediate_backend_runs_now_and_books_nothing(aged):
    aged(2, days=40)
    assert "handed to the task backend" in purge("--enqueue")
    assert not Comment.objects.spam().exists()


def test_enqueue_and_dry_run_do_not_mix():
    with pytest.raises(CommandError, match="do not go together"):
        purge("--enqueue", "--dry-run")
