"""Where an uncached article page view spends its time: a pyinstrument profile of repeated page views.

    .venv/bin/python bench/profile_page.py URL [--views 50] [--html out.html]

Run by run_all.py with the benchmark's environment (PAGE_CACHE_SECONDS=0); prints pyinstrument's text tree.
"""

import argparse
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

handler = WSGIHandler()


def get(path: str) -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8160",
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    b"".join(handler(environ, lambda *a: None))


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
