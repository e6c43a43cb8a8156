"""The queue counters: exact after every kind of write, on SQLite and PostgreSQL alike, and repairable."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from comments import moderation, services
from comments.admin.queues import queue_counts
from comments.models import Comment, QuarterHourCount, QueueCount

pytestmark = pytest.mark.django_db

Status = Comment.Status
CHANGELIST = reverse("admin:comments_comment_changelist")


def live_counts() -> dict[str, int]:
    return Counter(Comment.objects.values_list("status", flat=True))


def live_quarters() -> dict[tuple[int, str], int]:
    return Counter(
        (int(when.timestamp()) // 900 * 900, status)
        for when, status in Comment.objects.values_list("submitted_at", "status")
    )


def kept_quarters() -> dict[tuple[int, str], int]:
    totals = Counter()
    for quarter, status, count in QuarterHourCount.objects.values_list("quarter", "status", "count"):
        totals[quarter, status] += count
    return +totals  # drop the zeros


def assert_exact():
    assert {s: n for s, n in QueueCount.objects.by_status().items() if n} == dict(live_counts())
    assert kept_quarters() == live_quarters()


@pytest.fixture
def wave(article, make_comment):
    """A few readers, a thread, and a small spam wave inserted in one statement."""
    readers = [make_comment(article) for _ in range(3)]
    reply = make_comment(article, parent=readers[0])
    make_comment(article, parent=reply, status=Status.PENDING)
    make_comment(article, status=Status.FLAGGED)
    Comment.objects.bulk_create(
        [
            Comment(
                article=article,
                author_name=f"spammer{i}",
                author_email=f"spammer{i % 3}@spam.example",
                body="Buy cheap pills",
                status=Status.SPAM,
                ip_address=f"192.0.2.{i}",
                submitted_at=timezone.now() - timedelta(hours=i),
            )
            for i in range(1, 13)
        ]
    )
    assert_exact()
    return readers


def test_counts_follow_single_saves_and_bulk_inserts(wave):
    assert QueueCount.objects.by_status()[Status.SPAM] == 12
    assert QueueCount.objects.by_status()[Status.PUBLISHED] == 4
    by_key = {key: count for key, _, count in queue_counts()}
    assert by_key == {"review": 2, "pending": 1, "flagged": 1, "published": 4, "spam": 12, "removed": 0, "all": 18}


@pytest.mark.parametrize(
    "service, source, expected",
    [
        (moderation.approve_comments, Status.SPAM, Status.PUBLISHED),
        (moderation.mark_spam, Status.PUBLISHED, Status.SPAM),
        (moderation.mark_not_spam, Status.SPAM, Status.PUBLISHED),
        (moderation.remove_comments, Status.PUBLISHED, Status.REMOVED),
        (moderation.hold_comments, Status.PUBLISHED, Status.PENDING),
        (moderation.flag_comments, Status.PUBLISHED, Status.FLAGGED),
    ],
)
def test_counts_exact_after_each_bulk_status_change(wave, moderator, service, source, expected):
    changed = service(comments=Comment.objects.filter(status=source), moderator=moderator)
    assert changed
    assert Comment.objects.filter(status=expected).count() >= changed
    assert_exact()


def test_counts_exact_after_remove_then_restore(wave, moderator):
    moderation.remove_comments(comments=Comment.objects.filter(pk=wave[1].pk), moderator=moderator)
    assert QueueCount.objects.by_status()[Status.REMOVED] == 1
    moderation.restore_comments(comments=Comment.objects.removed(), moderator=moderator)
    assert QueueCount.objects.by_status()[Status.REMOVED] == 0
    assert_exact()


def test_counts_exact_after_permanent_delete_that_keeps_a_tombstone(wave, moderator):
    result = moderation.delete_comments(comments=Comment.objects.filter(pk=wave[0].pk), moderator=moderator)
    assert result.tombstoned == 1  # it has replies
    assert QueueCount.objects.by_status()[Status.REMOVED] == 1
    moderation.delete_comments(comments=Comment.objects.filter(pk=wave[2].pk), moderator=moderator)
    assert_exact()


def test_counts_exact_after_deleting_everything_from_senders(wave, moderator):
    result = moderation.delete_from_senders(
        comments=Comment.objects.filter(author_email="spammer1@spam.example"), moderator=moderator, match="both"
    )
    assert result.deleted == 4
    assert_exact()


def test_counts_exact_after_emptying_spam(wave, moderator):
    moderation.empty_spam(moderator=moderator, older_than_days=0)
    assert QueueCount.objects.by_status()[Status.SPAM] == 0
    assert_exact()


def test_counts_exact_after_reader_reports_flag_a_comment(wave, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    for key in ("a", "b"):
        moderation.report_comment(comment=wave[2], reporter_key=key, reason="rude")
    assert Comment.objects.get(pk=wave[2].pk).status == Status.FLAGGED
    assert QueueCount.objects.by_status()[Status.FLAGGED] == 2
    assert_exact()


def test_counts_exact_after_a_reader_posts(article, settings):
    settings.COMMENTS_MODERATION = "none"
    services.submit_comment(article=article, author_name="Ann", author_email="ann@example.com", body="Hello.")
    assert sum(QueueCount.objects.by_status().values()) == 1
    assert_exact()


def test_counts_exact_after_an_article_and_its_comments_are_deleted(wave, article):
    article.delete()
    assert Comment.objects.count() == 0
    assert_exact()


def test_counts_exact_after_plain_queryset_updates_and_deletes(wave):
    Comment.objects.filter(status=Status.SPAM, author_email="spammer0@spam.example").update(status=Status.PENDING)
    Comment.objects.filter(status=Status.SPAM).update(report_count=5)  # no status change: nothing to count
    Comment.objects.filter(pk=wave[1].pk).update(submitted_at=timezone.now() - timedelta(days=3))
    assert_exact()
    Comment.objects.filter(status=Status.PENDING).delete()
    assert_exact()


def test_counts_exact_after_admin_bulk_actions_on_all_matching(wave, client, moderator):
    client.force_login(moderator)
    spam_ids = list(Comment.objects.spam().values_list("pk", flat=True))
    # Select across the whole spam queue, confirm, and publish it all.
    data = {"action": "mark_not_spam", "select_across": "1", "index": "0", "_selected_action": spam_ids[:1]}
    confirm = client.post(f"{CHANGELIST}?queue=spam", data)
    assert confirm.status_code == 200
    assert QueueCount.objects.by_status()[Status.SPAM] == 12  # only asked
    done = client.post(f"{CHANGELIST}?queue=spam", {**data, "post": "yes"})
    assert done.status_code == 302
    assert QueueCount.objects.by_status()[Status.SPAM] == 0
    assert_exact()
    data = {"action": "remove", "index": "0", "_selected_action": spam_ids[:5]}
    assert client.post(f"{CHANGELIST}?queue=published", data).status_code == 302
    assert QueueCount.objects.by_status()[Status.REMOVED] == 5
    assert_exact()


def test_counts_exact_after_the_change_page_sets_a_status(wave, client, moderator):
    client.force_login(moderator)
    url = reverse("admin:comments_comment_change", args=[wave[1].pk])
    form = {
        "status": Status.SPAM,
        **{f"{inline}-{n}_FORMS": "0" for inline in ("events", "reports") for n in ("TOTAL", "INITIAL")},
    }
    assert client.post(url, form).status_code == 302
    assert Comment.objects.get(pk=wave[1].pk).status == Status.SPAM
    assert_exact()


def test_recount_command_repairs_the_counters(wave):
    QueueCount.objects.update(count=999)
    QuarterHourCount.objects.all().delete()
    call_command("recount_comment_queues", verbosity=0)
    assert_exact()
    assert QueueCount.objects.by_status()[Status.SPAM] == 12


def test_triggers_are_back_after_migrate(wave):
    """SQLite drops a table's triggers when a migration rebuilds it; `migrate` puts them back."""
    call_command("migrate", verbosity=0)
    Comment.objects.filter(status=Status.SPAM).update(status=Status.PUBLISHED)
    assert_exact()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement-level triggers are PostgreSQL's")
def test_bulk_statement_touches_each_counter_row_once_on_postgresql(wave):
    Comment.objects.filter(status=Status.SPAM).update(status=Status.REMOVED)
    # One slot per connection: the statement added its changes to one row per status, not one per comment.
    rows = QueueCount.objects.filter(status=Status.REMOVED)
    assert rows.count() == 1 and rows.get().count == 12
    assert_exact()
