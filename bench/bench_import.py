#!/usr/bin/env python3
"""The WordPress importer: import rate and peak memory on a generated export.

    .venv/bin/python bench/bench_import.py                                  # 2,000 posts, 200,000 comments
    .venv/bin/python bench/bench_import.py --posts 200 --comments 20000     # a quick one while developing
    .venv/bin/python bench/bench_import.py --x10                            # 20,000 posts, 2,000,000 comments
    .venv/bin/python bench/bench_import.py --x10 --parse-only               # the 10x file's parse alone

Writes the export with bench/gen_wxr.py (kept in /tmp and reused when it is already there), builds a fresh
database (PostgreSQL database newsroom_wxr by default; --url for another, sqlite:///... works too), then runs
`manage.py import_wxr` in a child process and prints its rate (comments a second, pingbacks included as read),
its peak resident memory (getrusage ru_maxrss of the child, which is the import alone), the CPU seconds of the
importer and, on PostgreSQL on the same machine, of the database server process serving it (from /proc), each
per 10,000 comments: on a shared machine those say what the import costs whatever else runs. --parse-only
instead only streams the file through wordpress.wxr in the child: the parser's memory for exports too big to
import while developing. --rerun imports the same file a second time and reports that run (nothing changed).
"""

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_delete import fresh_database  # a sibling script: bench/ is on the path when run

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/newsroom_wxr"
PARSE = """
import sys
from wordpress import wxr
posts = comments = 0
with open(sys.argv[1], "rb") as handle:
    for entry in wxr.read_export(handle):
        if isinstance(entry, wxr.Item):
            posts += 1
            comments += len(entry.comments)
print(f"{posts} posts, {comments} comments")
"""
# The import command, and the CPU time of the PostgreSQL process serving it (read from /proc: same machine only).
IMPORT = """
import os
import sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection

def backend_cpu():
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, NameError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
before = backend_cpu()
call_command("import_wxr", *sys.argv[1:])
after = backend_cpu()
if before is not None and after is not None:
    print(f"database server CPU: {after - before:.2f}")
"""


def child(command: list[str], env: dict) -> tuple[float, float, float, str]:
    """Run a child; (wall seconds, its CPU seconds, its peak resident MiB, its output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # ru_maxrss of children is the largest of any child so far; the children before this one (generator,
    # migrate) are smaller, and --rerun's first import is the same size as the measured one.
    return seconds, cpu, after.ru_maxrss / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument(
        "--x10", action="store_true", help="The export ten times larger: 20,000 posts, 2,000,000 comments."
    )
    parser.add_argument("--url", default=PG_URL)
    parser.add_argument("--parse-only", action="store_true")
    parser.add_argument("--rerun", action="store_true", help="Report a second import of the same file.")
    args = parser.parse_args()
    if args.x10:
        args.posts, args.comments = 20_000, 2_000_000

    export = Path(tempfile.gettempdir()) / f"newsroom_wxr_{args.posts}_{args.comments}.xml"
    if not export.exists():
        started = time.monotonic()
        partial = export.with_suffix(".partial")
        subprocess.run(
            [sys.executable, "bench/gen_wxr.py", "--posts", str(args.posts), "--comments", str(args.comments),
             "-o", str(partial)],
            cwd=ROOT, check=True,
        )  # fmt: skip
        partial.rename(export)
        print(f"generated {export} in {time.monotonic() - started:.0f} s")
    size = export.stat().st_size / 2**20
    env = {
        **os.environ,
        "DATABASE_URL": args.url,
        "PAGE_CACHE_SECONDS": "0",
        "LOG_LEVEL": "ERROR",
        # As in production: DEBUG keeps and formats every statement's SQL, a cost no real import pays.
        "DEBUG": os.environ.get("DEBUG", "0"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-import-only-not-a-real-secret-key-0123456789abcdef"),
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)

    if args.parse_only:
        seconds, _, peak, output = child([sys.executable, "-c", PARSE, str(export)], env)
        print(f"parse only: {output.strip()} from {size:,.0f} MiB in {seconds:,.1f} s, peak memory {peak:,.0f} MiB")
        return

    fresh_database(args.url)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    command = [sys.executable, "-c", IMPORT, str(export), "--progress=log"]
    if args.rerun:
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    load = os.getloadavg()[0]
    seconds, cpu, peak, output = child(command, env)
    created = sum(int(m.group(1)) for m in re.finditer(r"^comments: \w+ +(\d+)", output, re.MULTILINE))
    backend = "PostgreSQL" if args.url.startswith("postgres") else "SQLite"
    server = re.search(r"^database server CPU: ([\d.]+)$", output, re.MULTILINE)
    output = re.sub(r"^database server CPU: .*\n?", "", output, flags=re.MULTILINE)
    print(output.split("\n\n", 1)[-1].rstrip())
    print(
        f"\n{backend}: {args.posts:,} posts, {args.comments:,} comments ({size:,.0f} MiB) "
        f"{'re-imported' if args.rerun else 'imported'} in {seconds:,.1f} s: "
        f"{args.comments / seconds:,.0f} comments/s ({created:,} comment rows created), "
        f"peak memory {peak:,.0f} MiB"
    )
    # The machine may be shared: the importer's own CPU time says what it costs whatever else is running.
    per = 10_000 / args.comments
    server_cpu = " (the database server's CPU is not measured here)"
    if server:
        seconds_server = float(server.group(1))
        server_cpu = f"; database server CPU {seconds_server:,.1f} s, {seconds_server * per:.2f} s per 10,000 comments"
    print(
        f"importer CPU {cpu:,.1f} s, {cpu * per:.2f} s per 10,000 comments{server_cpu}; "
        f"load average {load:.1f} on {os.cpu_count()} CPUs at the start"
    )


if __name__ == "__main__":
    main()
