"""CPU and wall time of a cached article page in this process: a hit, and a stale copy served while changes gather.

    .venv/bin/python bench/cpu_cached.py ARTICLE_PATH [--views 400] [--rounds 5]

Run it with the benchmark's environment and the shared cache (DATABASE_URL, DEBUG=False, REDIS_URL, ...), as
bench/cpu_page.py is run. Through the project's WSGI handler with no profiler attached: first hits of a page this
process holds; then, after one change to the article (as a new comment makes), the previous copy as readers get it
while changes are gathered for one rebuild (PAGE_CACHE_REBUILD_AFTER raised for the run, so nobody rebuilds).
Prints the median per view over the rounds: process time, and wall time (which includes the round trips to Redis).
"""

import argparse
import statistics
import time

from django.conf import settings
from wsgi_get import get, last_headers

from articles import cache as page_cache
from articles.models import Article


def measure(path: str, views: int, rounds: int) -> tuple[float, float]:
    cpu, wall = [], []
    for _ in range(rounds):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        for _ in range(views):
            get(path)
        cpu.append((time.process_time() - started_cpu) * 1000 / views)
        wall.append((time.perf_counter() - started_wall) * 1000 / views)
    return statistics.median(cpu), statistics.median(wall)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--views", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    article = Article.objects.get(slug=args.path.rstrip("/").rsplit("/", 1)[-1])
    for _ in range(4):
        get(args.path)
    for label, expected in (("hit", "hit"), ("stale copy, changes gathering", "stale")):
        if expected == "stale":
            settings.PAGE_CACHE_REBUILD_AFTER = settings.PAGE_CACHE_STALE_SECONDS = 10**9
            page_cache.invalidate_article(article.pk)
        cpu, wall = measure(args.path, args.views, args.rounds)
        served = last_headers.get("X-Page-Cache")
        if served != expected:
            raise SystemExit(f"expected X-Page-Cache: {expected}, got {served} (is REDIS_URL set and the page cached?)")
        rounds = f"median of {args.rounds} rounds of {args.views}"
        print(f"{label:30s} CPU {cpu:.3f} ms, wall {wall:.3f} ms per view ({rounds})")


if __name__ == "__main__":
    main()
