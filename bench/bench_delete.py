#!/usr/bin/env python3
"""Bulk deletion of spam: the admin's select-all delete and `manage.py purge_spam`, timed, with peak memory.

    .venv/bin/python bench/bench_delete.py --db sqlite --n 100000              # admin select-all delete
    .venv/bin/python bench/bench_delete.py --db pg --n 100000                  # the same on PostgreSQL
    .venv/bin/python bench/bench_delete.py --db pg --n 1000000 --mode purge    # purge_spam --older-than 0

Each run builds a fresh database (SQLite file in /tmp, or PostgreSQL database nr_bench_delete; override with
--url), loads N spam comments on one article beside 5,000 published ones (each comment with the Akismet event a
real one carries, some spam replying to readers and some readers replying to spam), then measures in a fresh
process, so the peak resident memory (getrusage ru_maxrss) belongs to the measured work alone:

- admin: a moderator's browser through Django's real admin view with the test Client: GET the spam queue, POST
  "Delete permanently" with "select all N" (select_across, the first page's ids), then POST the confirmation
  page's own form back. The last request is the delete.
- purge: `call_command("purge_spam", "--older-than", "0")`.

--tracemalloc also reports Python's own peak allocation (slower; off by default).
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/nr_bench_delete"
SQLITE_URL = "sqlite:////tmp/nr_bench_delete.sqlite3"
PUBLISHED = 5000


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def django_setup(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- Building the data ---------------------------------------------------------------------------------------


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup(args) -> None:
    fresh_database(args.url)
    django_setup(args.url)
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from articles.models import Article, Section
    from comments.models import Comment

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    section = Section.objects.create(name="News", slug="news")
    article = Article.objects.create(
        headline="Allies and rivals still at odds over missile shield",
        body="<p>Story.</p>",
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timezone.timedelta(days=40),
    )
    moderator = User.objects.create_user("moderator", password="bench", is_staff=True)  # noqa: S106
    moderator.groups.add(Group.objects.get(name="Moderator"))

    pg = connection.vendor == "postgresql"
    table = Comment._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        # Set-based inserts: a million rows in seconds, with the columns a real comment has filled in.
        series = (
            "generate_series(1, %s) AS g(x)"
            if pg
            else "(WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < %s) SELECT x FROM s) AS g"
        )
        ip = (
            "('10.' || (x / 65536) %% 256 || '.' || (x / 256) %% 256 || '.' || x %% 256)::inet"
            if pg
            else "'10.' || (x / 65536) %% 256 || '.' || (x / 256) %% 256 || '.' || x %% 256"
        )
        submitted = (
            "now() - interval '20 days' + x * interval '1 second'"
            if pg
            else "datetime('now', '-20 days', '+' || x || ' seconds')"
        )
        payload = '\'{"comment_type": "comment", "blog": "http://127.0.0.1:8000"}\''
        for status, count, name, body, verdict, domains in [
            ("published", PUBLISHED, "reader", "A reader's view on the missile shield, number ", "ham", ""),
            (
                "spam",
                args.n,
                "spammer",
                "Buy cheap pills online, order now at http://pills.example/ ",
                "spam",
                "pills.example",
            ),
        ]:
            cursor.execute(
                f"""INSERT INTO {table} (article_id, author_name, author_email, author_url, body, status, submitted_at,
                        ip_address, user_agent, referrer, akismet_verdict, akismet_payload, pending_reason,
                        recheck_attempts, is_blatant, report_count, fingerprint, link_domains, path, depth)
                    SELECT %s, %s || x, %s || x || '@example.net', '', %s || x, %s,
                        {submitted}, {ip}, 'Mozilla/5.0 (X11; Linux x86_64)', '', %s, {payload}, '',
                        0, x %% 10 = 0, 0, '', %s, '', 0
                    FROM {series}""",  # noqa: S608
                [article.pk, name, name, body, status, verdict, domains, count],
            )
        pad = "lpad(id::text, 10, '0')" if pg else "substr('0000000000' || id, -10, 10)"
        cursor.execute(f"UPDATE {table} SET thread_id = id, path = {pad}")  # noqa: S608
        cursor.execute(
            f"""INSERT INTO comments_commentevent (comment_id, kind, action, detail, created_at)
                SELECT id, 'akismet', 'Akismet: ' || akismet_verdict, '', submitted_at FROM {table}"""  # noqa: S608
        )
    # A few threads that cross the line: spam replying to readers, readers replying to spam (those stay as
    # tombstones, their replies kept).
    readers = list(Comment.objects.filter(status="published").order_by("pk")[:50])
    spam = list(Comment.objects.filter(status="spam").order_by("pk")[:50])
    for parent in readers:
        Comment.objects.create(
            article=article,
            parent=parent,
            author_name="s",
            author_email="s@spam.example",
            body="spam reply",
            status="spam",
        )
    for parent in spam[:20]:
        Comment.objects.create(
            article=article, parent=parent, author_name="r", author_email="r@example.com", body="Is this spam?"
        )
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = Comment.objects.count()
    spam_count = Comment.objects.filter(status="spam").count()
    print(
        f"setup: db={connection.vendor} comments={total:,} spam={spam_count:,} in {time.perf_counter() - started:.1f}s",
        flush=True,
    )


# --- Measuring -------------------------------------------------------------------------------------------------


def measure_admin(args) -> None:
    django_setup(args.url)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client, override_settings

    from comments.models import Comment, ModerationRecord

    spam = Comment.objects.filter(status="spam")
    before = spam.count()
    client = Client()
    client.force_login(User.objects.get(username="moderator"))
    url = "/admin/comments/comment/?queue=spam"
    print(f"admin: db={connection.vendor} spam_before={before:,} baseline_rss={rss_mib():.1f} MiB", flush=True)
    trace = start_tracemalloc(args)
    total = 0.0
    with override_settings(DEBUG=False):  # no query log, as in production
        started = time.perf_counter()
        listing = client.get(url)
        ids = re.findall(r'name="_selected_action" value="(\d+)"', listing.content.decode())
        total += report("GET spam queue", started, f"status={listing.status_code} ids_on_page={len(ids)}")

        started = time.perf_counter()
        fields = {"action": "delete_permanently", "select_across": "1", "index": "0", "_selected_action": ids}
        confirm = client.post(url, fields)
        html = confirm.content.decode()
        question = re.search(r"Delete [\d,]+ comments? permanently\?", html)
        total += report(
            "POST action (select all) -> confirmation",
            started,
            f"status={confirm.status_code} bytes={len(confirm.content):,} "
            f"says={question.group() if question else None!r}",
        )

        form = html[html.index('<form method="post"') : html.index("</form>", html.index('<form method="post"'))]
        posted = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        posted = [(k, v) for k, v in posted if k != "csrfmiddlewaretoken"]
        started = time.perf_counter()
        done = client.post(url, _multidict(posted))
        total += report(
            "POST confirmation (the delete, one request)",
            started,
            f"status={done.status_code} fields={len(posted)} location={done.get('Location', '')!r}",
        )
    after = spam.count()
    record = ModerationRecord.objects.latest("pk")
    print(f"  record: {record.action}, count={record.count:,}, {record.filter_description}", flush=True)
    print(
        f"  TOTAL {total:.2f}s  gone_from_spam={before - after:,} spam_left={after:,} "
        f"peak_rss={rss_mib():.1f} MiB{stop_tracemalloc(trace)}",
        flush=True,
    )


def measure_purge(args) -> None:
    django_setup(args.url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from comments.models import Comment

    spam = Comment.objects.filter(status="spam")
    before = spam.count()
    print(f"purge: db={connection.vendor} spam_before={before:,} baseline_rss={rss_mib():.1f} MiB", flush=True)
    trace = start_tracemalloc(args)
    with override_settings(DEBUG=False):
        started = time.perf_counter()
        call_command("purge_spam", "--older-than", "0")
        elapsed = time.perf_counter() - started
    after = spam.count()
    print(
        f"  purge_spam --older-than 0: {elapsed:.2f}s  gone_from_spam={before - after:,} spam_left={after:,} "
        f"peak_rss={rss_mib():.1f} MiB{stop_tracemalloc(trace)}",
        flush=True,
    )


def _multidict(pairs):
    data = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data


def report(name: str, started: float, detail: str) -> float:
    elapsed = time.perf_counter() - started
    print(f"  {name:46s} {elapsed:7.2f}s  peak_rss={rss_mib():7.1f} MiB  {detail}", flush=True)
    return elapsed


def start_tracemalloc(args):
    if not args.tracemalloc:
        return None
    import tracemalloc

    tracemalloc.start()
    return tracemalloc


def stop_tracemalloc(trace) -> str:
    if trace is None:
        return ""
    peak = trace.get_traced_memory()[1] / 2**20
    trace.stop()
    return f" python_peak={peak:.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--n", type=int, default=100_000, help="spam comments to create (default 100,000)")
    parser.add_argument("--mode", choices=["admin", "purge"], default="admin")
    parser.add_argument("--url", help=f"database URL (default {SQLITE_URL} or {PG_URL})")
    parser.add_argument("--tracemalloc", action="store_true", help="also report Python's peak allocation")
    parser.add_argument("--phase", choices=["setup", "admin", "purge"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.url = args.url or (PG_URL if args.db == "pg" else SQLITE_URL)
    if args.n < 1:
        parser.error("--n must be at least 1")

    if args.phase:
        {"setup": setup, "admin": measure_admin, "purge": measure_purge}[args.phase](args)
        return
    # Each phase in its own process: the measured one starts clean, so its peak memory is its own.
    base = [sys.executable, __file__, "--db", args.db, "--n", str(args.n), "--url", args.url]
    if args.tracemalloc:
        base.append("--tracemalloc")
    for phase in ("setup", args.mode):
        subprocess.run([*base, "--phase", phase], check=True)


if __name__ == "__main__":
    main()
