"""Moderator screens whose cost does not grow with the comment table: queries per screen, paging, drill-down,
chart, and (PostgreSQL) the plans of the queue and search queries."""

import re
from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.admin import CommentAdmin, filters, paging
from comments.admin.dashboard import daily_chart
from comments.models import BlocklistEntry, Comment, QueueCount

pytestmark = pytest.mark.django_db

Status = Comment.Status
CHANGELIST = reverse("admin:comments_comment_changelist")


def add_comments(article, n: int, *, status=Status.SPAM, start=None, step=timedelta(minutes=7)):
    start = start or timezone.now() - timedelta(days=3)
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"sender{status}{i}",
            author_email=f"sender{i}@{status}.example",
            body=f"Buy cheap pills number {i}" if status == Status.SPAM else f"A reader's view, part {i}",
            status=status,
            ip_address=f"10.0.{i // 250}.{i % 250 + 1}",
            submitted_at=start + i * step,
        )
        for i in range(n)
    )


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def screens(article, make_comment):
    """Every moderator screen, as URLs, on a table with something in each queue."""
    add_comments(article, 30)
    add_comments(article, 10, status=Status.PUBLISHED)
    for status in (Status.PENDING, Status.FLAGGED, Status.REMOVED):
        add_comments(article, 3, status=status)
    BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.EMAIL, value="spam.example")
    comment = Comment.objects.spam().order_by("-pk").first()
    day = timezone.localdate(comment.submitted_at)
    drill = f"submitted_at__year={day.year}&submitted_at__month={day.month}&submitted_at__day={day.day}"
    return [
        CHANGELIST,
        *(f"{CHANGELIST}?queue={queue}" for queue in ("pending", "flagged", "published", "spam", "removed", "all")),
        f"{CHANGELIST}?queue=spam&p=2",
        f"{CHANGELIST}?queue=spam&{drill}",
        f"{CHANGELIST}?queue=all&q=sender7@spam.example",
        f"{CHANGELIST}?queue=all&q=10.0.0.",
        f"{CHANGELIST}?queue=all&q=senderspam1",
        f"{CHANGELIST}?queue=all&q=pills",
        f"{CHANGELIST}dashboard/",
        reverse("admin:comments_comment_change", args=[comment.pk]),
        reverse("admin:comments_blocklistentry_changelist"),
    ]


def test_no_moderator_screen_runs_more_queries_as_the_table_grows(screens, moderator_client, article, monkeypatch):
    # Pages of ten, so the lists are already several pages long before the table grows.
    monkeypatch.setattr(CommentAdmin, "list_per_page", 10)

    def queries_per_screen():
        counts = {}
        for url in screens:
            with CaptureQueriesContext(connection) as ctx:
                response = moderator_client.get(url)
            assert response.status_code == 200, url
            counts[url] = len(ctx.captured_queries)
        return counts

    small = queries_per_screen()
    add_comments(article, 400, start=timezone.now() - timedelta(days=40), step=timedelta(hours=2))
    add_comments(article, 50, status=Status.PUBLISHED, start=timezone.now() - timedelta(days=9))
    assert queries_per_screen() == small
    assert max(small.values()) <= 12


@pytest.mark.parametrize("queue", ["review", "spam", "all"])
def test_queue_pages_take_their_total_from_the_counters(
    screens, moderator_client, django_assert_max_num_queries, queue
):
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as ctx:
        response = moderator_client.get(f"{CHANGELIST}?queue={queue}")
    assert response.status_code == 200
    counting = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and "comments_comment" in q["sql"]]
    assert counting == [], "a plain queue must not count the comment table"
    total = {"review": 6, "spam": 30, "all": 49}[queue]
    assert f"{total} comments" in response.content.decode()


def test_a_search_counts_up_to_the_cap_and_says_so(screens, moderator_client, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    html = moderator_client.get(f"{CHANGELIST}?queue=all&q=pills").content.decode()
    assert "5+ results" in html
    html = moderator_client.get(f"{CHANGELIST}?queue=all&q=sender7@spam.example").content.decode()
    assert "1 result" in html


@pytest.mark.parametrize("cap", [10_000, 50])
def test_search_results_page_newest_first_whether_or_not_the_count_is_capped(
    article, moderator_client, monkeypatch, cap
):
    monkeypatch.setattr(paging, "COUNT_CAP", cap)
    monkeypatch.setattr(CommentAdmin, "list_per_page", 10)
    add_comments(article, 150, start=timezone.now() - timedelta(days=2), step=timedelta(minutes=-1))  # newest first
    add_comments(article, 5, status=Status.PUBLISHED)
    expected = list(Comment.objects.spam().order_by("-submitted_at", "-pk").values_list("pk", flat=True))
    shown = []
    for page in (1, 2, 3):
        html = moderator_client.get(f"{CHANGELIST}?queue=all&q=pills&p={page}").content.decode()
        shown += [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)]
    assert shown == expected[:30]


def test_a_deep_queue_page_shows_the_same_rows_found_by_ids_first(article, moderator_client, monkeypatch):
    monkeypatch.setattr(CommentAdmin, "list_per_page", 10)
    add_comments(article, 45)
    expected = list(Comment.objects.spam().order_by("-submitted_at", "-pk").values_list("pk", flat=True))
    pages = {}
    for deep in (1_000, 10):
        monkeypatch.setattr(paging, "DEEP_PAGE", deep)
        html = moderator_client.get(f"{CHANGELIST}?queue=spam&p=4").content.decode()
        pages[deep] = [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)]
    assert pages[10] == pages[1_000] == expected[30:40]


def test_the_review_queue_lists_pending_before_flagged_newest_first(article, moderator_client):
    now = timezone.now()
    add_comments(article, 2, status=Status.FLAGGED, start=now - timedelta(hours=1), step=timedelta(minutes=1))
    add_comments(article, 2, status=Status.PENDING, start=now - timedelta(days=2), step=timedelta(minutes=1))
    html = moderator_client.get(CHANGELIST).content.decode()
    ids = [int(pk) for pk in re.findall(r'name="_selected_action" value="(\d+)"', html)]
    expected = list(
        Comment.objects.filter(status=Status.PENDING).order_by("-submitted_at").values_list("pk", flat=True)
    ) + list(Comment.objects.filter(status=Status.FLAGGED).order_by("-submitted_at").values_list("pk", flat=True))
    assert ids == expected


def test_date_drill_down_offers_the_calendar_without_scanning_and_filters_by_day(article, moderator_client):
    start = datetime(2026, 3, 30, 12, tzinfo=timezone.get_current_timezone())
    add_comments(article, 4, start=start, step=timedelta(days=1))  # March 30th to April 2nd
    with CaptureQueriesContext(connection) as ctx:
        html = moderator_client.get(f"{CHANGELIST}?queue=spam").content.decode()
    assert not [q for q in ctx.captured_queries if "DISTINCT" in q["sql"].upper()]
    assert "March 2026" in html and "April 2026" in html  # one year: the months are offered
    days = moderator_client.get(f"{CHANGELIST}?queue=spam&submitted_at__year=2026&submitted_at__month=3")
    assert "March 30" in days.content.decode() and "March 29" not in days.content.decode()
    one_day = moderator_client.get(
        f"{CHANGELIST}?queue=spam&submitted_at__year=2026&submitted_at__month=4&submitted_at__day=1"
    ).content.decode()
    shown = re.findall(r'name="_selected_action" value="(\d+)"', one_day)
    day_one = Comment.objects.get(submitted_at=start + timedelta(days=2))
    assert shown == [str(day_one.pk)]


def test_dashboard_chart_counts_each_local_day_like_the_comments_themselves(article, settings):
    settings.TIME_ZONE = "Asia/Kathmandu"  # UTC+5:45: days start on a quarter hour
    timezone.activate("Asia/Kathmandu")
    try:
        midnight = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=2), datetime.min.time()))
        for offset, status in [(-1, Status.SPAM), (0, Status.SPAM), (1, Status.PUBLISHED), (14, Status.PENDING)]:
            add_comments(article, 1, status=status, start=midnight + timedelta(minutes=offset))
        add_comments(article, 1, start=timezone.now() - timedelta(days=45))  # before the chart
        chart = daily_chart(days=30)
        by_day = {bar["day"]: bar["counts"] for bar in chart["bars"]}
        day = timezone.localdate(midnight)
        assert by_day[day] == {"published": 1, "held": 1, "spam": 1}
        assert by_day[day - timedelta(days=1)] == {"published": 0, "held": 0, "spam": 1}
        assert chart["totals"] == {"published": 1, "held": 1, "spam": 2}
    finally:
        timezone.deactivate()


def test_a_prolific_senders_record_is_counted_up_to_the_cap(article, moderator_client, monkeypatch):
    monkeypatch.setattr("comments.admin.comments.COUNT_CAP", 3)
    Comment.objects.bulk_create(
        Comment(article=article, author_name="s", author_email="same@spam.example", body="x", status=Status.SPAM)
        for _ in range(6)
    )
    comment = Comment.objects.first()
    html = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "3+" in html


# --- Query plans (PostgreSQL) ------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the query-plan check needs PostgreSQL's EXPLAIN")
def test_queue_and_search_queries_read_indexes_not_the_whole_table(article, moderator_client):
    with connection.cursor() as cursor:
        # A spam wave beside a few readers, loaded as fast as a real one lands.
        cursor.execute(
            """INSERT INTO comments_comment (article_id, author_name, author_email, author_url, body, status,
                    submitted_at, ip_address, user_agent, referrer, akismet_verdict, akismet_payload, pending_reason,
                    recheck_attempts, is_blatant, report_count, fingerprint, link_domains, path, depth)
                SELECT %s, CASE WHEN x %% 100 = 0 THEN 'reader' ELSE 'spammer' END || x,
                    'sender' || x || '@example.net',
                    '', 'Buy cheap pills online, order now, offer ' || x, CASE WHEN x %% 100 = 0 THEN 'published'
                    ELSE 'spam' END, now() - interval '20 days' + x * interval '1 minute',
                    ('10.' || (x / 65536) %% 256 || '.' || (x / 256) %% 256 || '.' || x %% 256)::inet, '', '', 'spam',
                    '{}', '', 0, false, 0, '', '', '', 0
                FROM generate_series(1, 5000) AS g(x)""",
            [article.pk],
        )
        cursor.execute("ANALYZE comments_comment")
    urls = [
        f"{CHANGELIST}?queue=spam",
        f"{CHANGELIST}?queue=spam&p=50",
        f"{CHANGELIST}?queue=all",
        f"{CHANGELIST}?queue=published",
        CHANGELIST,
        f"{CHANGELIST}?queue=all&q=sender12345@example.net",
        f"{CHANGELIST}?queue=all&q=10.0.3.",
        f"{CHANGELIST}?queue=all&q=spammer4321",
        f"{CHANGELIST}?queue=all&q=shield",
        f"{CHANGELIST}?queue=all&sender=email:SENDER77@example.net",
        f"{CHANGELIST}dashboard/",
    ]
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert moderator_client.get(url).status_code == 200
        for query in ctx.captured_queries:
            if "comments_comment" not in query["sql"]:
                continue
            # On a test-sized table the planner rightly reads it whole; with scans priced out, a query still
            # planned as a scan has no index it could use (at a million rows the cheap plan is the index).
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN {query['sql']}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on comments_comment" not in plan, f"{url}\n{query['sql']}\n{plan}"


def test_a_queue_page_reads_the_queue_counters_once(screens, moderator_client):
    with CaptureQueriesContext(connection) as ctx:
        response = moderator_client.get(f"{CHANGELIST}?queue=spam")
    assert response.status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if QueueCount._meta.db_table in q["sql"]]
    assert len(reads) == 1, reads  # the queue filter's labels and the paginator's total share one read


def test_busiest_articles_are_counted_among_a_capped_sample_and_say_so(make_article, moderator_client, monkeypatch):
    quiet, busy = make_article(headline="Quiet story"), make_article(headline="Busy story")
    add_comments(quiet, 2, status=Status.PENDING)
    add_comments(busy, 4, status=Status.FLAGGED)
    html = moderator_client.get(CHANGELIST).content.decode()
    assert html.index("Busy story (4 waiting)") < html.index("Quiet story (2 waiting)")
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    monkeypatch.setattr(filters, "COUNT_CAP", 3)
    html = moderator_client.get(CHANGELIST).content.decode()
    counts = [int(n) for n in re.findall(r"story \((\d+)\+ waiting\)", html)]
    assert counts and sum(counts) == 3  # at most the cap counted, each count marked as a lower bound
