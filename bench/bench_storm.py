#!/usr/bin/env python3
"""A viral article under a comment storm: readers' rate and p99 quiet vs storm, posters' rate, time to visible.

    .venv/bin/python bench/bench_storm.py                       # SQLite, 10 comments/s, 10 s phases
    .venv/bin/python bench/bench_storm.py --db pg --rate 10 --duration 10s --compare

The site runs as `make bench` runs it (bench/run_all.py's helpers: gunicorn with the production config, 2 sync
workers, DEBUG=False, the Redis cache) with bench/hello_settings.py, which adds a hello-world view at
/bench/hello/. On the 235-comment benchmark article, rebuilt for every server:

1. quiet: `wrk -t2 -c8` readers on the cached article page; then the same on the hello-world view, so the
   cached page is compared with Django's floor in the same run;
2. storm: the same readers while posters (threads of this script) post `--rate` published comments a second
   through the real form (at most 4 in flight; posts the server is too slow for are counted as late), each a
   reply in the first thread of the page readers read, so each must show there
   and each drops the article's cached pages. A prober fetches that page as a new anonymous reader every 20 ms
   and records, for each comment, the time from the poster's 302 (the comment committed) until it is on the
   page: the time until a new comment is visible to readers.

--compare runs everything twice, first with PAGE_CACHE_STALE_SECONDS=0 (every reader renders a changed page,
the behaviour before stale copies) and then with the setting's default, on fresh servers and data.
Bounded: each phase lasts --duration, the posters stop with it, and the servers are stopped at the end.
Loopback only; port --port (default 8181), Redis db 8, PostgreSQL database --pg-name.
"""

import argparse
import re
import statistics
import sys
import threading
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

import run_all as ra

REPO = ra.REPO
RESULTS = REPO / "bench" / "results"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"
COMMENTS = 235
PROBE_EVERY = 0.02
POSTERS = 4


def http(method: str, path: str, *, body: str | None = None, cookie: str | None = None, timeout: float = 10):
    """One request on a new connection (gunicorn's sync workers close it anyway): status, headers, body."""
    conn = HTTPConnection("127.0.0.1", ra.PORT_SITE, timeout=timeout)
    headers = {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class Storm:
    """Posters on a fixed schedule (`rate` a second, open loop) and a prober timing each comment's appearance."""

    def __init__(self, page: str, article_id: str, parent: str, rate: float, seconds: float):
        self.page, self.article_id, self.parent = page, article_id, parent
        self.rate, self.seconds = rate, seconds
        status, headers, html = http("GET", page)
        self.cookie = re.search(r"csrftoken=([A-Za-z0-9]+)", headers.get("Set-Cookie", "")).group(1)
        self.token = re.search(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html).group(1).decode()
        self.lock = threading.Lock()
        self.waiting: dict[str, float] = {}  # text -> when its POST returned
        self.visible_after: list[float] = []
        self.post_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self.late = 0
        self.stop = threading.Event()
        # At most this many posts in flight, like `make bench`'s posting run (wrk -c4): a server that falls
        # behind makes posts late (counted) instead of piling up an ever longer queue in front of the readers.
        self.in_flight = threading.BoundedSemaphore(POSTERS)

    def post(self, number: int) -> None:
        text = f"Storm comment {number} at {time.time_ns()} on the missile shield talks."
        body = urllib.parse.urlencode(
            {
                "name": f"Storm reader {number}",
                "email": f"storm{number}@example.com",
                "comment": text,
                "parent": self.parent,
                "csrfmiddlewaretoken": self.token,
            }
        )
        started = time.monotonic()
        try:
            status, _headers, _body = http(
                "POST", f"/comments/post/{self.article_id}/", body=body, cookie=f"csrftoken={self.cookie}"
            )
        except OSError:
            status = 0
        done = time.monotonic()
        self.in_flight.release()
        with self.lock:
            self.post_ms.append((done - started) * 1000)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 302:
                self.waiting[text] = done

    def posters(self) -> None:
        start = time.monotonic()
        threads = []
        number = 0
        while not self.stop.is_set():
            due = start + number / self.rate
            if due - start >= self.seconds:
                break
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if not self.in_flight.acquire(blocking=False):
                self.late += 1
                self.in_flight.acquire()
            elif delay < -1.0 / self.rate:
                self.late += 1
            thread = threading.Thread(target=self.post, args=(number,), daemon=True)
            thread.start()
            threads.append(thread)
            number += 1
        for thread in threads:
            thread.join(timeout=30)

    def prober(self) -> None:
        while not self.stop.is_set() or self.waiting:
            fetched = time.monotonic()
            try:
                _status, _headers, html = http("GET", self.page)
            except OSError:
                continue
            text = html.decode(errors="replace")
            with self.lock:
                for comment, posted in list(self.waiting.items()):
                    if comment in text:
                        # Seen by a fetch that began at `fetched`: the comment was visible by then at the latest.
                        self.visible_after.append(max(0.0, fetched - posted))
                        del self.waiting[comment]
                    elif self.stop.is_set() and fetched - posted > 10:
                        del self.waiting[comment]  # never seen: counted below
            time.sleep(PROBE_EVERY)

    def run_during(self, work) -> dict:
        posters = threading.Thread(target=self.posters)
        prober = threading.Thread(target=self.prober)
        posters.start()
        prober.start()
        started = time.monotonic()
        try:
            result = work()
        finally:
            posters.join()
            elapsed = time.monotonic() - started
            self.stop.set()
            prober.join(timeout=30)
        posted = self.statuses.get(302, 0)
        return {
            **result,
            "posted": posted,
            "post_rate": posted / max(elapsed, self.seconds),
            "post_errors": sum(n for s, n in self.statuses.items() if s != 302),
            "post_p50": statistics.median(self.post_ms) if self.post_ms else None,
            "late_posts": self.late,
            "visible_max": max(self.visible_after) if self.visible_after else None,
            "visible_p50": statistics.median(self.visible_after) if self.visible_after else None,
            "never_visible": posted - len(self.visible_after),
        }


def prepare(args) -> dict:
    env = {
        **ra.BASE_ENV,
        "DJANGO_SETTINGS_MODULE": "bench.hello_settings",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "PAGE_CACHE_SECONDS": "300",
        "COMMENTS_RATE_LIMIT_SECONDS": "0",  # every poster is 127.0.0.1
        "AKISMET_API_KEY": "",
    }
    if args.db == "pg":
        import psycopg
        from psycopg import sql

        admin = args.pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.pg_name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.pg_name)))
        env["DATABASE_URL"] = args.pg_url.rsplit("/", 1)[0] + "/" + args.pg_name
        env["DATABASE_POOL"] = "1"
    else:
        path = RESULTS / "nr_bench_storm.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{path}"
    env["REDIS_URL"] = args.redis
    ra.manage("migrate", "--noinput", "-v0", env=env)
    ra.manage("collectstatic", "--noinput", "-v0", env=env)
    return env


def readers(path: str, duration: str, site) -> dict:
    url = f"http://127.0.0.1:{ra.PORT_SITE}{path}"
    return ra.wrk(url, ra.WRK_PAGE, duration, server_pid=site.pid, markers=("redis-server", "bench_storm"))


def one_round(args, env: dict, stale_seconds: str) -> dict:
    import redis

    redis.Redis.from_url(args.redis).flushdb()  # our own db index only
    page = ra.manage("bench_comments", "--comments", str(COMMENTS), env=env).splitlines()[-1]
    env = {**env, "PAGE_CACHE_STALE_SECONDS": stale_seconds}
    row = {"stale_seconds": stale_seconds, "load_before": ra.loadavg()}
    site = ra.start_site(env)
    try:
        for _ in range(4):
            status, headers, html = http("GET", page)
        assert status == 200 and headers.get("X-Page-Cache") == "hit", (status, headers.get("X-Page-Cache"))
        article_id = re.search(rb'action="/comments/post/(\d+)/"', html).group(1).decode()
        parent = re.search(rb'id="comment-(\d+)"', html).group(1).decode()
        row["quiet"] = readers(page, args.duration, site)
        ra.log(f"  quiet:  {ra.fmt(row['quiet'].get('rps'))} req/s  p99 {ra.fmt(row['quiet'].get('p99'))} ms")
        for _ in range(4):
            http("GET", "/bench/hello/")
        row["hello"] = readers("/bench/hello/", args.duration, site)
        ra.log(f"  hello:  {ra.fmt(row['hello'].get('rps'))} req/s  p99 {ra.fmt(row['hello'].get('p99'))} ms")
        storm = Storm(page, article_id, parent, args.rate, ra.to_ms(args.duration) / 1000)
        row["storm"] = storm.run_during(lambda: readers(page, args.duration, site))
        ra.log(f"  storm:  {ra.fmt(row['storm'].get('rps'))} req/s  p99 {ra.fmt(row['storm'].get('p99'))} ms")
    finally:
        ra.stop(site)
    row["load_after"] = ra.loadavg()
    return row


def report(rows: list[dict], args) -> str:
    lines = [
        f"Comment storm, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {args.db}, {COMMENTS}-comment article, "
        f"readers `wrk {' '.join(ra.WRK_PAGE)} -d{args.duration}`, posters {args.rate:g}/s, "
        f"gunicorn {args.workers} sync workers",
        "",
        "| stale copies | quiet req/s | quiet p99 ms | storm req/s | storm/quiet | storm p99 ms | posted/s | "
        "POST p50 ms | post errors | late posts | visible after: p50 / max ms | never seen | hello req/s | "
        "cached/hello | other load quiet/storm | load before |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        quiet, storm, hello = row["quiet"], row["storm"], row["hello"]
        share = (storm.get("rps") or 0) / quiet["rps"] if quiet.get("rps") else None
        versus_hello = quiet["rps"] / hello["rps"] if quiet.get("rps") and hello.get("rps") else None
        name = "off" if float(row["stale_seconds"]) <= 0 else f"up to {row['stale_seconds']} s"
        lines.append(
            f"| {name} | {ra.fmt(quiet.get('rps'))} | {ra.fmt(quiet.get('p99'))} | {ra.fmt(storm.get('rps'))} | "
            f"{ra.fmt(share and 100 * share, '.0f')}% | {ra.fmt(storm.get('p99'))} | {storm['post_rate']:.1f} | "
            f"{ra.fmt(storm['post_p50'])} | {storm['post_errors']} | {storm['late_posts']} | "
            f"{ra.fmt(storm['visible_p50'] and 1000 * storm['visible_p50'], '.0f')} / "
            f"{ra.fmt(storm['visible_max'] and 1000 * storm['visible_max'], '.0f')} | {storm['never_visible']} | "
            f"{ra.fmt(hello.get('rps'))} | {ra.fmt(versus_hello and 100 * versus_hello, '.0f')}% | "
            f"{quiet.get('foreign_pct')}% / {storm.get('foreign_pct')}% | {row['load_before']} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=10.0, help="comments posted a second (default 10)")
    parser.add_argument("--duration", default="10s", help="each phase's length, wrk syntax (default 10s)")
    parser.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    parser.add_argument("--pg-url", default=ra.PG_ADMIN_URL, help="a PostgreSQL URL to reach the server with")
    parser.add_argument("--pg-name", default="newsroom_speed_bench_storm", help="database to (re)build")
    parser.add_argument("--redis", default=DEFAULT_REDIS, help=f"Redis db, flushed per round (default {DEFAULT_REDIS})")
    parser.add_argument("--port", type=int, default=8181)
    parser.add_argument("--stale-seconds", default="1", help="PAGE_CACHE_STALE_SECONDS for the run (default 1)")
    parser.add_argument("--compare", action="store_true", help="also run with stale copies off, first")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn sync workers (default 2, as make bench; production has 2 x CPUs + 1)",
    )
    args = parser.parse_args()
    if not 0 < args.rate <= 200:
        parser.error("--rate must be between 0 and 200 comments a second")
    ra.PORT_SITE = args.port
    ra.REDIS_URL = args.redis
    if not ra.redis_available():
        parser.error(f"Redis at {args.redis} is not reachable: the storm needs the shared cache")
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = {**prepare(args), "WEB_CONCURRENCY": str(args.workers)}
    rows = []
    for seconds in (["0"] if args.compare else []) + [args.stale_seconds]:
        ra.log(f"stale copies {'off' if float(seconds) <= 0 else 'up to ' + seconds + ' s'}:")
        rows.append(one_round(args, env, seconds))
    text = report(rows, args)
    ra.log("")
    ra.log(text)
    (RESULTS / f"storm_{args.db}.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
