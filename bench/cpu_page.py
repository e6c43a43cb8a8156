"""CPU time of a page view in this process: `time.process_time()` around the project's WSGI handler, with no
profiler attached (bench/profile_page.py shows where the time goes; this says how much there is).

    .venv/bin/python bench/cpu_page.py URL [URL ...] [--views 50] [--rounds 5]

Run it with the benchmark's environment (DATABASE_URL, DEBUG=False, PAGE_CACHE_SECONDS=0 for an uncached view)
as run_all.py sets it. Each URL is warmed up with four views, then measured in rounds of --views views; prints
the CPU ms per view of each round, their minimum and median, and the SQL queries of one view.
"""

import argparse
import statistics
import time

from django.db import connection
from wsgi_get import get, last_headers


def queries_of_one_view(path: str) -> int:
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        get(path)
    return len(statements)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--views", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for path in args.paths:
        for _ in range(4):
            status, _body = get(path)
        if not status.startswith("200"):
            raise SystemExit(f"{path}: {status}")
        queries = queries_of_one_view(path)
        rounds = []
        for _ in range(args.rounds):
            start = time.process_time()
            for _ in range(args.views):
                get(path)
            rounds.append((time.process_time() - start) * 1000 / args.views)
        cached = last_headers.get("X-Page-Cache", "not cached")
        print(
            f"{path} ({cached}, {queries} queries): CPU ms per view min {min(rounds):.2f}, "
            f"median {statistics.median(rounds):.2f}; rounds of {args.views}: {', '.join(f'{r:.2f}' for r in rounds)}"
        )


if __name__ == "__main__":
    main()
