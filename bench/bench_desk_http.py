"""Autosave as a deployment serves it: gunicorn on PostgreSQL, editors saving over real HTTP. Prints; asserts nothing.

The site runs with the production gunicorn.conf.py (sync workers, `--workers` of them, DEBUG=False, psycopg's
pool, Redis as the shared cache). Each editor is a separate process with its own session cookie, opens its own
article's change form (which takes the edit lock and hands it the CSRF cookie, as a browser gets it) and then
posts the desk's JSON autosave with the X-CSRFToken header, on a new connection each time (sync workers close
it anyway):

- flat out: every editor saves again the moment its answer arrives, `--saves` times (8 editors saving at once);
- paced: every editor saves once every `--interval` seconds for `--duration` seconds, at its own phase, the way
  the desk's autosave (3 s after typing stops) sends them;
- together: as paced, but every editor at the same instant each time: eight saves arriving at once, a burst the
  two workers have to queue.

For each mode it prints p50/p99 of the round trip, the server's CPU per save (gunicorn master and workers plus
this database's PostgreSQL backends, from /proc) and how much of the machine other tenants used meanwhile:
round trips are only comparable from a quiet machine, CPU per save much less so. `--lock` adds the edit-lock
heartbeat (30 s in the browser) to each editor's loop, for the heartbeat's own cost.

    .venv/bin/python bench/bench_desk_http.py [--editors 8] [--saves 60] [--interval 3] [--duration 30]
        [--workers 2] [--port 8191] [--pg-name nr_bench_desk] [--redis redis://127.0.0.1:6379/3]

Loopback only. It drops and rebuilds the PostgreSQL database --pg-name and flushes the Redis db it is given.
"""

import argparse
import json
import multiprocessing
import os
import re
import statistics
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run_all as ra  # noqa: E402

HZ = os.sysconf("SC_CLK_TCK")
BODY_WORDS = 800  # a long story: the autosave sends the whole body every time


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def request(port: int, method: str, path: str, *, body: bytes | None = None, headers: dict | None = None):
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def prepare(args) -> dict:
    import psycopg
    from psycopg import sql

    admin_url = args.pg_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.pg_name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.pg_name)))
    env = {
        **ra.BASE_ENV,
        "DATABASE_URL": args.pg_url.rsplit("/", 1)[0] + "/" + args.pg_name,
        "DATABASE_POOL": "1",
        "REDIS_URL": args.redis,
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    ra.RESULTS.mkdir(parents=True, exist_ok=True)
    ra.manage("migrate", "--noinput", "-v0", env=env)
    # The change form names static files; without DEBUG they come from collectstatic's manifest.
    ra.manage("collectstatic", "--noinput", "-v0", env=env)
    return env


def make_editors(env: dict, editors: int) -> list[dict]:
    """Users, their articles and signed-in sessions, made in this process with the site's own code."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    import redis
    from django.contrib.auth.models import Group, User
    from django.db import connections
    from django.test import Client

    from articles.models import Article, Section

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # our own db index only
    section, _ = Section.objects.get_or_create(slug="bench-desk", defaults={"name": "Bench desk"})
    group = Group.objects.get(name="Editor")
    people = []
    for n in range(editors):
        user = User.objects.create_user(username=f"bench-desk-{n}", password=None, is_staff=True)
        user.groups.add(group)
        article = Article.objects.create(
            headline=f"Bench desk story {n}", slug=f"bench-desk-{n}", body="<p>Start.</p>", section=section
        )
        client = Client()
        client.force_login(user)
        people.append({"article": article.pk, "session": client.cookies["sessionid"].value})
    connections.close_all()
    return people


def open_form(port: int, editor: dict) -> dict:
    """GET the change form as the browser does: it takes the lock and sets the CSRF cookie."""
    path = f"/admin/articles/article/{editor['article']}/change/"
    status, headers, html = request(
        port, "GET", path, headers={"Cookie": f"sessionid={editor['session']}", "X-Forwarded-Proto": "https"}
    )
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    token = next(
        re.search(r"csrftoken=([^;]+)", value).group(1)
        for name, value in headers
        if name.lower() == "set-cookie" and value.startswith("csrftoken=")
    )
    version = int(re.search(rb'name="opened_version" value="(\d+)"', html).group(1))
    return {**editor, "csrf": token, "version": version}


def editor_loop(port: int, editor: dict, mode: str, args, start_at: float, queue) -> None:
    headers = {
        "Cookie": f"sessionid={editor['session']}; csrftoken={editor['csrf']}",
        "X-CSRFToken": editor["csrf"],
        "Content-Type": "application/json",
        "X-Forwarded-Proto": "https",
        "Origin": f"https://127.0.0.1:{port}",
    }
    autosave = f"/admin/articles/article/{editor['article']}/autosave/"
    lock = f"/admin/articles/article/{editor['article']}/lock/"
    words = " ".join(["word"] * BODY_WORDS)
    timings, failures, n = [], 0, 0
    time.sleep(max(0.0, start_at - time.time()))
    began = time.monotonic()
    while True:
        if mode == "flat" and n >= args.saves:
            break
        if mode in ("paced", "together"):
            due = began + n * args.interval
            if due - began >= args.duration:
                break
            time.sleep(max(0.0, due - time.monotonic()))
        payload = {
            "headline": f"Bench story {n}",
            "dek": "",
            "body": f"<p>{words} {n}</p>",
            "version": editor["version"],
        }
        sent = time.perf_counter()
        status, _headers, answer = request(port, "POST", autosave, body=json.dumps(payload).encode(), headers=headers)
        timings.append((time.perf_counter() - sent) * 1000)
        if status != 200 or b'"saved"' not in answer:
            failures += 1
        if args.lock and n % 10 == 9:
            request(port, "POST", lock, headers=headers)
        n += 1
    queue.put((timings, failures))


def run_mode(port: int, server_pid: int, editors: list[dict], mode: str, args) -> dict:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 1.0
    markers = (f" {args.pg_name} ",)  # this database's PostgreSQL backends: "postgres: user db host(port) ..."
    before = (time.monotonic(), ra.busy_jiffies(), ra.own_jiffies(server_pid, markers))
    procs = []
    for n, editor in enumerate(editors):
        # Paced editors start at their own phase of the interval, like people who stopped typing at different times.
        offset = n * args.interval / len(editors) if mode == "paced" else 0.0
        proc = ctx.Process(target=editor_loop, args=(port, editor, mode, args, start_at + offset, queue))
        proc.start()
        procs.append(proc)
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    after = (time.monotonic(), ra.busy_jiffies(), ra.own_jiffies(server_pid, markers))
    timings = [t for mine, _ in results for t in mine]
    failures = sum(failed for _, failed in results)
    server_cpu = (after[2] - before[2]) / HZ
    window = after[0] - before[0]
    machine = (after[1] - before[1]) / HZ
    return {
        "saves": len(timings),
        "failures": failures,
        "p50": statistics.median(timings),
        "p99": percentile(timings, 99),
        "server_cpu_ms_per_save": 1000 * server_cpu / max(1, len(timings)),
        "saves_per_s": len(timings) / window,
        "machine_busy_pct": 100 * machine / (window * (os.cpu_count() or 1)),
        "load": ra.loadavg(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--editors", type=int, default=8)
    parser.add_argument("--saves", type=int, default=60, help="saves per editor, flat out (default 60)")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between one editor's paced saves")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of paced saving (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument("--pg-url", default=ra.PG_ADMIN_URL, help="a PostgreSQL URL to reach the server with")
    parser.add_argument("--pg-name", default="nr_bench_desk", help="database to (re)build")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3", help="Redis db for the cache (flushed)")
    parser.add_argument("--lock", action="store_true", help="also send a lock heartbeat every 10th save")
    parser.add_argument("--modes", default="flat,paced,together")
    args = parser.parse_args()
    ra.PORT_SITE = args.port
    env = prepare(args)
    people = make_editors(env, args.editors)
    site = ra.start_site(env)
    rows = {}
    try:
        editors = [open_form(args.port, person) for person in people]
        for mode in args.modes.split(","):
            warm = argparse.Namespace(**{**vars(args), "saves": 3})
            run_mode(args.port, site.pid, editors, "flat", warm)
            ra.log(f"{mode}: running")
            rows[mode] = run_mode(args.port, site.pid, editors, mode, args)
    finally:
        ra.stop(site)
    ra.log(
        f"\nautosave over HTTP: gunicorn {args.workers} sync workers, PostgreSQL, {args.editors} editors "
        f"(separate processes, own sessions and CSRF tokens), {BODY_WORDS}-word body"
    )
    for mode, row in rows.items():
        what = {
            "flat": f"flat out, {args.saves} saves each",
            "paced": f"paced, one save every {args.interval:g} s each, at their own phase",
            "together": f"together, all {args.editors} at the same instant every {args.interval:g} s",
        }[mode]
        ra.log(
            f"  {what}: {row['saves']} saves ({row['failures']} failed), p50 {row['p50']:.1f} ms, "
            f"p99 {row['p99']:.1f} ms, {row['saves_per_s']:.0f} saves/s; server CPU "
            f"{row['server_cpu_ms_per_save']:.2f} ms/save (gunicorn + PostgreSQL); "
            f"machine {row['machine_busy_pct']:.0f}% busy, load {row['load']} (target p50 < 50 ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
