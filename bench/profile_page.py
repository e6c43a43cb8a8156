"""Where an uncached article page view spends its time: a pyinstrument profile of repeated page views.

    .venv/bin/python bench/profile_page.py URL [--views 50] [--html out.html]

Run by run_all.py with the benchmark's environment (PAGE_CACHE_SECONDS=0); prints pyinstrument's text tree.
"""

import argparse
from pathlib import Path

from pyinstrument import Profiler
from wsgi_get import get


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
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html())


if __name__ == "__main__":
    main()
