#!/usr/bin/env python3
"""Every moderator screen, timed at 10,000 / 100,000 / 1,000,000 comments: median of three warm requests.

    .venv/bin/python bench/bench_moderation.py                         # 10,000 and 100,000 on PostgreSQL
    .venv/bin/python bench/bench_moderation.py --sizes 1000000         # the million (a few minutes to load)
    .venv/bin/python bench/bench_moderation.py --sizes 10000 --url postgres://postgres@127.0.0.1:5432/mydb

For each size a fresh database (PostgreSQL database nr_bench_moderation, dropped and rebuilt; override with
--url) gets the shape `bench/bench_delete.py` builds: N spam comments on one article beside 5,000 published ones
(set-based `INSERT ... SELECT generate_series`, each with its Akismet event), plus a few hundred pending, flagged
and removed comments and a blocklist, then ANALYZE. A fresh process then signs in as a moderator with Django's
test client (DEBUG=False) and requests each screen in SCREENS once to warm it, then three times; the median is
printed with the Python CPU time of the request (this process), the time spent waiting on SQL (the database's
share), the status code, the SQL queries the request ran and the slowest one's time. On a shared, loaded machine
the wall-clock median mostly measures the load: the CPU and SQL columns say where the time went.

SCREENS is a plain table of URLs (not imports of admin classes) so it keeps working however the admin code is
arranged; `{placeholders}` are filled from the data built here.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import bench_delete

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/nr_bench_moderation"
COMMENTS = "/admin/comments/comment/"

# (screen, URL): what a moderator opens during a spam wave.
SCREENS = [
    ("queue: needs a human (default)", COMMENTS),
    ("queue: pending", COMMENTS + "?queue=pending"),
    ("queue: flagged", COMMENTS + "?queue=flagged"),
    ("queue: published", COMMENTS + "?queue=published"),
    ("queue: spam", COMMENTS + "?queue=spam"),
    ("queue: removed", COMMENTS + "?queue=removed"),
    ("queue: all", COMMENTS + "?queue=all"),
    ("spam queue, page 500 (or the last)", COMMENTS + "?queue=spam&p={deep_page}"),
    ("spam queue, one day (date drill-down)", COMMENTS + "?queue=spam&{day_params}"),
    ("search all: email address", COMMENTS + "?queue=all&q={spam_email}"),
    ("search all: IP prefix", COMMENTS + "?queue=all&q=10.0.3."),
    ("search all: name", COMMENTS + "?queue=all&q=reader4321"),
    ("search all: word", COMMENTS + "?queue=all&q=shield"),
    ("search spam: word", COMMENTS + "?queue=spam&q=pharmacy"),
    ("moderation dashboard", COMMENTS + "dashboard/"),
    ("a comment's page", COMMENTS + "{comment_id}/change/"),
    ("blocklist list", "/admin/comments/blocklistentry/"),
]
PUBLISHED = bench_delete.PUBLISHED
EXTRA = {"pending": 300, "flagged": 200, "removed": 100}


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def build(args) -> None:
    started = time.perf_counter()
    bench_delete.setup(args)  # fresh database, migrations, N spam + 5,000 published, ANALYZE
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from comments.models import BlocklistEntry, Comment

    article_id = Comment.objects.values_list("article_id", flat=True).first()
    table = Comment._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for status, count in EXTRA.items():
            cursor.execute(
                f"""INSERT INTO {table} (article_id, author_name, author_email, author_url, body, status, submitted_at,
                        ip_address, user_agent, referrer, akismet_verdict, akismet_payload, pending_reason,
                        recheck_attempts, is_blatant, report_count, fingerprint, link_domains, path, depth)
                    SELECT %s, 'held' || x, 'held' || x || '@example.org', '', 'A comment held for review ' || x,
                        %s, now() - x * interval '1 minute', ('192.0.2.' || x %% 250)::inet, 'Mozilla/5.0', '',
                        '', '{{}}', 'bench', 0, false, %s, '', '', '', 0
                    FROM generate_series(1, %s) AS g(x)""",  # noqa: S608
                [article_id, status, 3 if status == "flagged" else 0, count],
            )
        cursor.execute(
            f"UPDATE {table} SET thread_id = id, path = lpad(id::text, 10, '0') WHERE thread_id IS NULL"  # noqa: S608
        )
        moderator = User.objects.get(username="moderator")
        BlocklistEntry.objects.bulk_create(
            [
                BlocklistEntry(kind=kind, value=value, note=f"bench {i}", created_by=moderator)
                for i in range(60)
                for kind, value in [("email", f"spammer{i}@example.net"), ("ip", f"10.0.{i}.0/24")]
            ]
        )
        cursor.execute(f"ANALYZE {table}")  # noqa: S608
    print(
        f"build: {Comment.objects.count():,} comments (spam {args.n:,}) in {time.perf_counter() - started:.1f}s",
        flush=True,
    )


def measure(args) -> None:
    bench_delete.django_setup(args.url)
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from comments.models import Comment

    spam = Comment.objects.filter(status="spam")
    day = spam.order_by("pk").values_list("submitted_at", flat=True).first()
    # The admin's date drill-down works in the site's zone.
    local = timezone.localtime(day)
    values = {
        "spam_email": spam.order_by("-pk").values_list("author_email", flat=True).first(),
        # Page 500 needs 50,000 spam at 100 a page; smaller tables get their last page.
        "deep_page": min(500, max(1, (args.n + 99) // 100)),
        "comment_id": spam.order_by("-pk").values_list("pk", flat=True).first(),
        "day_params": f"submitted_at__year={local.year}&submitted_at__month={local.month}"
        f"&submitted_at__day={local.day}",
    }
    client = Client()
    client.force_login(User.objects.get(username="moderator"))
    total = Comment.objects.count()
    print(f"\n{total:,} comments ({args.n:,} spam), db={connection.vendor}, load before: {loadavg()}", flush=True)
    print(
        "| screen | median ms | runs ms | Python CPU ms | SQL ms | status | queries | slowest query ms |\n"
        "|---|---:|---|---:|---:|---:|---:|---:|"
    )
    with override_settings(DEBUG=False):
        for name, template in SCREENS:
            url = template.format(**values)
            response = client.get(url)  # warm
            times, cpu, sql = [], [], []
            for _ in range(3):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
            slowest = max((float(q["time"]) for q in queries.captured_queries), default=0.0) * 1000
            print(
                f"| {name} | {statistics.median(times):,.0f} | {', '.join(f'{t:.0f}' for t in times)} | "
                f"{statistics.median(cpu):,.0f} | {statistics.median(sql):,.0f} | "
                f"{response.status_code} | {len(queries.captured_queries)} | {slowest:,.0f} |",
                flush=True,
            )
    print(f"load after: {loadavg()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated total sizes (default 10000,100000)")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"PostgreSQL URL, rebuilt per size (default {DEFAULT_URL})")
    parser.add_argument("--keep", action="store_true", help="measure the database as it is (no rebuild)")
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=["build", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        parser.error("--url must be a PostgreSQL URL (the bulk load uses generate_series)")
    if args.phase:
        args.tracemalloc = False
        {"build": build, "measure": measure}[args.phase](args)
        return
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        # The size is the whole table: N spam beside the 5,000 published and the held ones.
        n = max(1, size - PUBLISHED - sum(EXTRA.values()))
        base = [sys.executable, __file__, "--url", args.url, "--n", str(n)]
        phases = ("measure",) if args.keep else ("build", "measure")
        for phase in phases:
            subprocess.run([*base, "--phase", phase], check=True, env={**os.environ})


if __name__ == "__main__":
    main()
