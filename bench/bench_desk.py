"""The reporter's desk: autosave round trip with concurrent editors, and the history/compare screens of an article
with many revisions. Prints numbers; asserts nothing.

The editors here are threads of one process sharing one interpreter lock, and Django's test client: this measures
the code, not a deployment. For autosave as gunicorn serves it over HTTP, see bench/bench_desk_http.py. The
statements and CPU time one autosave and one lock heartbeat cost are printed first (CPU time of this process,
which holds up on a busy machine far better than round trips do).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_desk .venv/bin/python bench/bench_desk.py \
        --editors 8 --saves 25 --revisions 500

It migrates the database it is given and adds its own users and articles (prefixed "bench-desk").
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
# The admin screens name static files: with DEBUG=0 they would need `collectstatic`'s manifest first.
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from articles import services  # noqa: E402
from articles.models import Article, Section  # noqa: E402
from articles.revisions import article_versions  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def editor(n: int) -> User:
    user, _ = User.objects.get_or_create(username=f"bench-desk-{n}", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def client_for(user: User) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def bench_autosave(editors: int, saves: int, section: Section) -> None:
    timings: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(editors)

    def run(n: int) -> None:
        user = editor(n)
        article = Article.objects.create(
            headline=f"bench-desk {n}", slug=f"bench-desk-{n}", body="<p>x</p>", section=section
        )
        client = client_for(user)
        url = reverse("admin:articles_article_autosave", args=[article.pk])
        start.wait()
        mine = []
        for i in range(saves):
            payload = json.dumps({"headline": article.headline, "body": f"<p>{'word ' * 800}{i}</p>", "version": 1})
            began = time.perf_counter()
            response = client.post(url, payload, content_type="application/json")
            mine.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code  # noqa: S101
        with lock:
            timings.extend(mine)
        connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        f"autosave round trip, {editors} editors x {saves} saves ({connection.vendor}): "
        f"p50 {statistics.median(timings):.1f} ms, p99 {percentile(timings, 99):.1f} ms (target p50 < 50 ms)"
    )


def bench_endpoint_cost(section: Section, saves: int = 200) -> None:
    user = editor(0)
    article = Article.objects.create(
        headline="bench-desk cost", slug="bench-desk-cost", body="<p>x</p>", section=section
    )
    client = client_for(user)
    client.get(reverse("admin:articles_article_change", args=[article.pk]))  # takes the lock
    urls = {
        "autosave": reverse("admin:articles_article_autosave", args=[article.pk]),
        "lock heartbeat": reverse("admin:articles_article_lock", args=[article.pk]),
    }
    payload = json.dumps({"headline": article.headline, "body": f"<p>{'word ' * 800}</p>", "version": 1})
    for name, url in urls.items():
        client.post(url, payload, content_type="application/json")
        connection.queries_log.clear()  # a full log (DEBUG keeps 9,000) would make the capture come out empty
        with CaptureQueriesContext(connection) as queries:
            client.post(url, payload, content_type="application/json")
        statements = [query["sql"] for query in queries.captured_queries]
        writes = sum(1 for sql in statements if not sql.startswith("SELECT"))
        began = time.process_time()
        for _ in range(saves):
            client.post(url, payload, content_type="application/json")
        cpu = (time.process_time() - began) / saves * 1000
        print(
            f"{name}: {len(statements)} SQL statements ({writes} not SELECT), "
            f"{cpu:.2f} ms CPU per request in this process (test client included), {connection.vendor}"
        )


def bench_history(revisions: int, section: Section) -> None:
    user = editor(0)
    article = Article.objects.create(
        headline="bench-desk history", slug="bench-desk-history", body="<p>start</p>", section=section
    )
    for i in range(revisions):
        with services.revision(user=user, comment=f"save {i}"):
            article.body = f"<p>{'Story text ' * 150} take {i}</p>"
            article.save()
    client = client_for(user)
    versions = list(article_versions(article).values_list("pk", flat=True))
    urls = {
        f"history ({len(versions)} revisions)": reverse("admin:articles_article_history", args=[article.pk]),
        "compare": reverse("admin:articles_article_compare", args=[article.pk]) + f"?a={versions[-1]}&b={versions[0]}",
    }
    for name, url in urls.items():
        client.get(url)
        times = []
        for _ in range(5):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.status_code  # noqa: S101
        print(f"{name}: median {statistics.median(times):.1f} ms over 5 (target < 300 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, default=8)
    parser.add_argument("--saves", type=int, default=25)
    parser.add_argument("--revisions", type=int, default=500)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    Article.objects.filter(headline__startswith="bench-desk").delete()
    settings.ARTICLE_REVISIONS_KEEP = max(args.revisions, settings.ARTICLE_REVISIONS_KEEP)
    section, _ = Section.objects.get_or_create(slug="bench-desk", defaults={"name": "bench-desk"})
    bench_endpoint_cost(section)
    bench_autosave(args.editors, args.saves, section)
    bench_history(args.revisions, section)
    Article.objects.filter(headline__startswith="bench-desk").delete()


if __name__ == "__main__":
    main()
