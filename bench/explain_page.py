#!/usr/bin/env python3
"""The article page's comment queries on PostgreSQL right after a bulk insert (stale statistics) and after ANALYZE.

    .venv/bin/python bench/explain_page.py [--url postgres://postgres@127.0.0.1:5432/nr_bench_explain]

Rebuilds the database: the 235-comment benchmark article, ANALYZE (the statistics a quiet site has), then the
5,000-comment article inserted in bulk with autovacuum off for the comments table and no ANALYZE, as right after
an import or a spam wave. For comment pages 1, 2 and 40 of the big article it captures the page's comment
queries and prints each one's plan (EXPLAIN ANALYZE), whether it scans the comments table, and its time; then
the in-process page time (median of 15 views). The same again after ANALYZE.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/nr_bench_explain"


def manage(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--plans", action="store_true", help="print every plan in full")
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.url,
        DEBUG="False",
        PAGE_CACHE_SECONDS="0",
        LOG_LEVEL="ERROR",
        SECURE_SSL_REDIRECT="False",
        STATIC_ROOT=str(ROOT / "bench" / "results" / "static"),  # collected by run_all.py / bench_storm.py
    )
    os.environ.pop("REDIS_URL", None)

    import psycopg
    from psycopg import sql

    base, _, name = args.url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("bench_comments", "--comments", "235")
    with psycopg.connect(args.url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        conn.execute("ALTER TABLE comments_comment SET (autovacuum_enabled = false)")
    big = manage("bench_comments", "--comments", "5000", "--no-analyze").splitlines()[-1]

    sys.path.insert(0, str(ROOT / "bench"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from wsgi_get import get

    def measure(state: str) -> None:
        print(f"\n## {state}", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint, (SELECT count(*) FROM comments_comment) FROM pg_class "
                "WHERE relname = 'comments_comment'"
            )
            believed, actual = cursor.fetchone()
        print(f"comments_comment: the planner's row count {believed:,}, actual {actual:,}")
        for page in (1, 2, 40):
            path = f"{big}?page={page}" if page > 1 else big
            with CaptureQueriesContext(connection) as ctx:
                status, _body = get(path)
            assert status.startswith("200"), status
            for query in ctx.captured_queries:
                if "comments_comment" not in query["sql"]:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN ANALYZE {query['sql']}")
                    plan = [row[0] for row in cursor.fetchall()]
                seq = any("Seq Scan on comments_comment" in line for line in plan)
                scans = "SEQ SCAN of comments_comment" if seq else "indexes only"
                took = next((p for p in plan if p.startswith("Execution Time")), "")
                print(f"page {page:2d}: {scans:28s} {took:28s} {query['sql'][:90]}...")
                if args.plans:
                    print("    " + "\n    ".join(plan))
        times = []
        for _ in range(15):
            started = time.perf_counter()
            get(big)
            times.append((time.perf_counter() - started) * 1000)
        print(f"in-process page 1 view: median {statistics.median(times):.1f} ms (15 views)", flush=True)

    measure("right after the bulk insert, statistics stale")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    measure("after ANALYZE comments_comment")


if __name__ == "__main__":
    main()
