"""Where an article page view spends its time: a pyinstrument profile of repeated page views.

    .venv/bin/python bench/profile_page.py URL [--views 50] [--html out.html]

Run by run_all.py with the benchmark's environment and PAGE_CACHE_SECONDS=0 for an uncached view. With the page
cache on (PAGE_CACHE_SECONDS > 0, REDIS_URL set as in production) the warm-up fills the cache and every profiled
view is a cache hit by a new visitor: the cached path. Prints which it was, then pyinstrument's text tree.
"""

import argparse
from pathlib import Path

from pyinstrument import Profiler
from wsgi_get import get, last_headers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--views", type=int, default=50)
    parser.add_argument("--html")
    args = parser.parse_args()
    for _ in range(3):
        get(args.path)
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(args.views):
        get(args.path)
    profiler.stop()
    print(f"{args.views} views of {args.path}, X-Page-Cache: {last_headers.get('X-Page-Cache', 'none (not cached)')}")
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
