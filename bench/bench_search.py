#!/usr/bin/env python3
"""Reader search over many articles on PostgreSQL: p50 and p99 of two-word queries, printed.

    .venv/bin/python bench/bench_search.py                      # 100,000 articles, 300 queries
    .venv/bin/python bench/bench_search.py --n 20000 --queries 100
    .venv/bin/python bench/bench_search.py --reuse              # measure again without rebuilding the data

Builds a fresh database (nr_bench_search; override with --url) and fills it with --n articles through
bulk_create in batches: headlines, deks and bodies of --words words drawn from a 20,000-word vocabulary with a
Zipf distribution (as words are in real text), one or two bylines each from 400 authors, eight sections, 2% drafts.
The search vectors are then filled by the bulk path (`refresh_search_vectors`, one UPDATE for every row) and
the table is vacuumed and analysed, as autovacuum would on a live site.

Each query is two words from the vocabulary's middle (ranks 100-3,000: topic words, each in a few percent of
the articles, so a query matches tens to hundreds of articles and ranking has real work to do). Two timings:

- search: what the page asks of the database, measured in this process: the count, the first page of results (10) ranked
  with their ts_headline excerpts, their bylines (one prefetch), and the excerpts escaped and marked.
- page: the whole GET /search/?q=... through Django (test Client; templates, middleware), DEBUG off.
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

from bench_delete import fresh_database  # a sibling script: bench/ is on the path when run

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/nr_bench_search"
VOCABULARY = 20_000
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["ch" + v for v in "aeiou"]


def django_setup(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def vocabulary(rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choices(SYLLABLES, k=rng.choice((2, 3, 3, 4)))))
    ordered = sorted(words)  # a set's order changes from one process to the next; the ranks must not
    rng.shuffle(ordered)
    return ordered  # rank order: index 0 is the commonest word


def build(args, rng: random.Random, words: list[str]) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from articles.models import Article, Author, Byline, Section
    from articles.search import refresh_search_vectors

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    sections = [Section.objects.create(name=f"Section {n}", slug=f"section-{n}") for n in range(8)]
    authors = Author.objects.bulk_create(
        Author(name=f"{words[3000 + n].title()} {words[6000 + n].title()}", slug=f"author-{n}") for n in range(400)
    )
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    cumulative = list(_accumulate(weights))

    def text(k: int) -> str:
        return " ".join(rng.choices(words, cum_weights=cumulative, k=k))

    now = timezone.now()
    made = 0
    while made < args.n:
        batch = []
        for n in range(made, min(made + args.batch, args.n)):
            draft = rng.random() < 0.02
            paragraphs = "".join(f"<p>{text(args.words // 5)}.</p>" for _ in range(5))
            batch.append(
                Article(
                    headline=text(rng.randint(6, 11)).capitalize(),
                    slug=f"story-{n}",
                    dek=text(rng.randint(12, 20)).capitalize(),
                    body=paragraphs,
                    section=rng.choice(sections),
                    status=Article.Status.DRAFT if draft else Article.Status.PUBLISHED,
                    published_at=None if draft else now - timezone.timedelta(minutes=rng.randint(10, 5_256_000)),
                )
            )
        created = Article.objects.bulk_create(batch)
        Byline.objects.bulk_create(
            Byline(article=article, author=author, position=position)
            for article in created
            for position, author in enumerate(rng.sample(authors, rng.choice((1, 1, 1, 2))))
        )
        made += len(created)
        print(f"  {made:,} articles", end="\r", flush=True)
    loaded = time.perf_counter() - started

    started = time.perf_counter()
    refreshed = refresh_search_vectors(articles=Article.objects.all())
    indexed = time.perf_counter() - started
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE articles_article")
        cursor.execute("SELECT pg_size_pretty(pg_relation_size('article_search_vector_gin'))")
        (index_size,) = cursor.fetchone()
    print(
        f"setup: {args.n:,} articles ({args.words} words of body each) loaded in {loaded:.1f}s; "
        f"refresh_search_vectors: {refreshed:,} rows in one UPDATE in {indexed:.1f}s; GIN index {index_size}",
        flush=True,
    )


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(args, rng: random.Random, words: list[str]) -> None:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client, override_settings

    from articles import search
    from articles.models import Article

    if args.reuse:
        # Data built by an earlier run: take the topic words from the index itself (in 1% to 30% of articles).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM ts_stat('SELECT search_vector FROM articles_article') "
                "WHERE ndoc BETWEEN 0.01 * %s AND 0.3 * %s ORDER BY word",
                [Article.objects.count()] * 2,
            )
            words = [row[0] for row in cursor.fetchall()]
        topic = words
    else:
        topic = words[100:3000]
    queries = [f"{a} {b}" for a, b in (rng.sample(topic, 2) for _ in range(args.queries))]
    warmup = [f"{a} {b}" for a, b in (rng.sample(topic, 2) for _ in range(20))]

    def run_search(query: str) -> int:
        found = search.search_articles(Article.objects.published().with_bylines(), search.clean_query(query))
        page = Paginator(found, search.RESULTS_PER_PAGE).page(1)
        for article in page.object_list:
            search.excerpt(article, query)
            article.byline_text  # noqa: B018 - the page shows it
        return page.paginator.count

    client = Client()
    with override_settings(DEBUG=False):
        for query in warmup:
            run_search(query)
            client.get("/search/", {"q": query})
        search_ms, page_ms, matches = [], [], []
        for query in queries:
            started = time.perf_counter()
            matches.append(run_search(query))
            search_ms.append((time.perf_counter() - started) * 1000)
        for query in queries:
            started = time.perf_counter()
            response = client.get("/search/", {"q": query})
            page_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    total = Article.objects.count()
    print(
        f"db={connection.vendor} articles={total:,} queries={len(queries)} (two words each); "
        f"matches per query: median {statistics.median(matches):,.0f}, max {max(matches):,}, "
        f"none for {sum(1 for m in matches if m == 0)}"
    )
    for name, samples in (("search (count + page + bylines + excerpts)", search_ms), ("page (GET /search/)", page_ms)):
        print(
            f"{name}: p50 {percentile(samples, 0.5):.1f} ms, p99 {percentile(samples, 0.99):.1f} ms, "
            f"max {max(samples):.1f} ms"
        )
    print(f"target: p50 < 30 ms -> {'met' if percentile(search_ms, 0.5) < 30 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    parser.add_argument("--words", type=int, default=400, help="words of body per article (default 400)")
    parser.add_argument("--queries", type=int, default=300, help="two-word queries measured (default 300)")
    parser.add_argument("--batch", type=int, default=2_000, help="articles per bulk_create")
    parser.add_argument("--url", default=PG_URL, help=f"PostgreSQL database, dropped and rebuilt ({PG_URL})")
    parser.add_argument("--reuse", action="store_true", help="measure the data already in --url")
    parser.add_argument("--seed", type=int, default=2012)
    args = parser.parse_args()
    if not args.url.startswith("postgres"):
        parser.error("the search benchmark measures PostgreSQL's index; give a postgres:// --url")
    rng = random.Random(args.seed)
    words = vocabulary(rng)
    if not args.reuse:
        fresh_database(args.url)
    django_setup(args.url)
    if not args.reuse:
        build(args, rng, words)
    measure(args, random.Random(args.seed + 1), words)


if __name__ == "__main__":
    main()
