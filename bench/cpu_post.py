"""CPU time and SQL queries of a comment POST in this process: the real form view through the project's WSGI
handler, with the Akismet check answered by bench/akismet_standin.py (started here, on --akismet-port).

    .venv/bin/python bench/cpu_post.py ARTICLE_URL [--posts 50] [--rounds 5] [--profile]

Run it with the benchmark's environment (DATABASE_URL, DEBUG=False, REDIS_URL, ...) as run_all.py's posting
run sets it; the article must be open for comments (`manage.py bench_comments`). Every third post is a reply
to the page's first comment, as bench/post_comment.lua posts them. Prints the CPU ms per POST of each round
(the stand-in's own CPU is not counted: it runs in another process), their minimum and median, the queries
of one POST, and the CPU ms of the article page rebuilt after a POST (the cost each new comment puts on
readers). --profile prints cProfile's top functions (by CPU) over one round instead.
"""

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("AKISMET_API_KEY", "bench-standin-key")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8160")
os.environ.setdefault("COMMENTS_RATE_LIMIT_SECONDS", "0")

import httpx  # noqa: E402
from django.db import connection  # noqa: E402
from wsgi_get import get, handler  # noqa: E402  (sets Django up)

from comments import spam  # noqa: E402

# 32 letters and digits: a CSRF secret, which Django also accepts as the form token.
CSRF_SECRET = "BenchCsrfSecret0123456789abcdefg"  # noqa: S105


def post(path: str, fields: dict) -> tuple[str, dict]:
    body = urlencode({**fields, "csrfmiddlewaretoken": CSRF_SECRET}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8160",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_COOKIE": f"csrftoken={CSRF_SECRET}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
    }
    status = []
    b"".join(handler(environ, lambda line, headers, *args: status.append((line, dict(headers)))))
    return status[0]


class Poster:
    def __init__(self, article_path: str):
        _status, page = get(article_path)
        self.action = re.search(rb'action="(/comments/post/\d+/)"', page).group(1).decode()
        self.parent = re.search(rb'id="comment-(\d+)"', page).group(1).decode()
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        who = f"{os.getpid()}-{time.time_ns()}-{self.n}"
        fields = {
            "name": f"Bench reader {who}",
            "email": f"bench{who}@example.com",
            "comment": f"Benchmark comment {who} on the missile shield talks.",
        }
        if self.n % 3 == 0:
            fields["parent"] = self.parent
        line, _headers = post(self.action, fields)
        return line


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--akismet-port", type=int, default=8189)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    standin = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("akismet_standin.py")), "--port", str(args.akismet_port)],
        stdout=subprocess.DEVNULL,
    )
    spam.http_transport = StandIn(f"http://127.0.0.1:{args.akismet_port}")
    try:
        time.sleep(0.5)
        run(args)
    finally:
        standin.terminate()
        standin.wait()


class StandIn(httpx.HTTPTransport):
    """Sends Akismet's requests to the stand-in (as bench/gunicorn_bench.conf.py does in each worker)."""

    def __init__(self, url: str):
        super().__init__()
        self.target = httpx.URL(url)

    def handle_request(self, request):
        request.url = request.url.copy_with(scheme=self.target.scheme, host=self.target.host, port=self.target.port)
        return super().handle_request(request)


def run(args):
    poster = Poster(args.path)
    for _ in range(4):
        line = poster()
    if not line.startswith("302"):
        raise SystemExit(f"POST answered {line}")
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        poster()
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.runcall(lambda: [poster() for _ in range(args.posts)])
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("TOP", "50")))
        print(out.getvalue())
        return
    rounds, rebuilds = [], []
    for _ in range(args.rounds):
        start = time.process_time()
        for _ in range(args.posts):
            poster()
        rounds.append((time.process_time() - start) * 1000 / args.posts)
        start = time.process_time()
        get(args.path)
        rebuilds.append((time.process_time() - start) * 1000)
    print(f"POST {poster.action}: {len(statements)} queries")
    for sql in statements:
        print("   ", sql[:150])
    print(
        f"CPU ms per POST min {min(rounds):.2f}, median {statistics.median(rounds):.2f}; "
        f"rounds of {args.posts}: {', '.join(f'{r:.2f}' for r in rounds)}"
    )
    print(f"CPU ms of the page rebuilt after a POST: min {min(rebuilds):.2f}, median {statistics.median(rebuilds):.2f}")


if __name__ == "__main__":
    main()
