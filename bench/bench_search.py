#!/usr/bin/env python3
"""Reader search over many articles on PostgreSQL: p50 and p99 of four kinds of query, printed.

    .venv/bin/python bench/bench_search.py                      # 100,000 articles; 300 two-word queries, 60 each other
    .venv/bin/python bench/bench_search.py --n 20000 --queries 100
    .venv/bin/python bench/bench_search.py --reuse              # measure again without rebuilding the data

Builds a fresh database (nr_bench_search; override with --url) and fills it with --n articles through
bulk_create in batches: headlines, deks and bodies of --words words drawn from a 20,000-word vocabulary with a
Zipf distribution (as words are in real text), one or two bylines each from 400 authors, eight sections, 2% drafts.
The search vectors are then filled by the bulk path (`refresh_search_vectors`, one UPDATE for every row) and
the table is vacuumed and analysed, as autovacuum would on a live site.

The queries, each kind a line of the output:

- two words: from the vocabulary's middle (ranks 100-3,000: topic words, each in a few percent of the articles,
  so a query matches tens to hundreds of articles and ranking has real work to do);
- common word: one of the five commonest words, found in nearly every article (the worst case for ranking);
- phrase: two neighbouring words of a random article, in quotes (positions are checked in the table, not the index);
- no match: a topic word and a word that is nowhere.

Every query is a whole GET /search/?q= through Django (test Client; middleware, templates), DEBUG off, timed
three ways: wall clock (what the reader waits; meaningful on a quiet machine only), this process's CPU time
(Django and the templates), and the database's own execution time for the page's queries (each query re-run
under EXPLAIN ANALYZE and summed; the first --explain queries of each kind), which hold on a busy machine too.
"""

import argparse
import json
import random
import re
import statistics
import time

from bench_delete import django_setup, fresh_database  # a sibling script: bench/ is on the path when run

PG_URL = "postgres://postgres@127.0.0.1:5432/nr_bench_search"
VOCABULARY = 20_000
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"] + ["ch" + v for v in "aeiou"]


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


def query_sets(args, rng: random.Random, words: list[str]) -> dict[str, list[str]]:
    """The four kinds of query measured, each a list of queries drawn from the data."""
    from django.db import connection

    from articles import search
    from articles.models import Article

    if args.reuse:
        # Data built by an earlier run: take the words from the index itself, counted over a sample of 5,000
        # articles (topic words in 1% to 30% of them; the commonest words of all).
        with connection.cursor() as cursor:
            sample = min(Article.objects.count(), 5_000)
            # Only lexemes that a query of the word itself looks up unchanged (stemming a stem can change it).
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_words AS SELECT word, ndoc FROM ts_stat(%s) "
                "WHERE websearch_to_tsquery(%s::regconfig, word)::text = quote_literal(word)",
                ["SELECT search_vector FROM articles_article ORDER BY id LIMIT 5000", search.text_search_config()],
            )
            cursor.execute(
                "SELECT word FROM bench_words WHERE ndoc BETWEEN 0.01 * %s AND 0.3 * %s ORDER BY word", [sample] * 2
            )
            topic = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT word FROM bench_words ORDER BY ndoc DESC, word LIMIT 5")
            common = [row[0] for row in cursor.fetchall()]
            cursor.execute("DROP TABLE bench_words")
    else:
        topic, common = words[100:3000], words[:5]
    two_words = [f"{a} {b}" for a, b in (rng.sample(topic, 2) for _ in range(args.queries))]
    common_words = [rng.choice(common) for _ in range(args.others)]
    no_match = [f"{rng.choice(topic)} zyqx{n}" for n in range(args.others)]
    # Phrases as they stand in the text: two neighbouring words of a random article's body.
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    phrases = []
    while len(phrases) < args.others:
        body = Article.objects.values_list("body", flat=True).get(pk=rng.choice(ids))
        text = body.replace("<p>", " ").replace("</p>", " ").replace(".", " ").split()
        at = rng.randrange(len(text) - 1)
        phrases.append(f'"{text[at]} {text[at + 1]}"')
    return {"two words": two_words, "common word": common_words, "phrase": phrases, "no match": no_match}


def matched(page: str) -> int:
    """The number of results the page reports ("More than 1,000 articles match" counts as 1,000)."""
    found = re.search(r"([\d,]+) articles? match", page)
    return int(found.group(1).replace(",", "")) if found else 0


def measure(args, rng: random.Random, words: list[str]) -> None:
    from django.db import OperationalError, connection, transaction
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from articles import search
    from articles.models import Article

    kinds = query_sets(args, rng, words)
    client = Client()

    def get(query: str):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, response.status_code
        return response

    def database_ms(query: str) -> tuple[float, int]:
        """The database's own time for the page's queries (EXPLAIN ANALYZE's Execution Time, summed).

        A statement that ran under a time limit (a phrase) is explained under the same limit, and counts as the
        whole limit if it hits it, as it did for the reader.
        """
        with CaptureQueriesContext(connection) as ctx:
            get(query)
        total, limit = 0.0, None
        for captured in ctx.captured_queries:
            sql = captured["sql"]
            if "set_config('statement_timeout'" in sql:
                limit = sql
                continue
            if not sql.startswith("SELECT"):
                continue  # BEGIN, COMMIT
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    if limit:
                        cursor.execute(limit)
                    cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}")
                    plan = cursor.fetchone()[0]
            except OperationalError:
                total += search.PHRASE_TIMEOUT_MS
            else:
                plan = json.loads(plan) if isinstance(plan, str) else plan
                total += plan[0]["Execution Time"]
            limit = None
        return total, sum(1 for captured in ctx.captured_queries if captured["sql"].startswith("SELECT"))

    print(f"db={connection.vendor} articles={Article.objects.count():,}; GET /search/?q= through Django, DEBUG off")
    print(
        f"{'query kind':<12} {'n':>4} {'matches p50':>11} | {'wall p50':>8} {'p99':>7} | {'cpu p50':>7} {'p99':>7} | "
        f"{'db p50':>7} {'p99':>7} | queries"
    )
    with override_settings(DEBUG=False):
        for query in [q for queries in kinds.values() for q in queries[:5]]:
            get(query)  # warm up: connections, templates, caches
        for kind, queries in kinds.items():
            wall, cpu, database, matches, counts = [], [], [], [], set()
            for query in queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = get(query)
                cpu.append((time.process_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
                matches.append(matched(response.content.decode()))
            slowest = (0.0, "")
            for query in queries[: args.explain]:
                spent, count = database_ms(query)
                database.append(spent)
                counts.add(count)
                slowest = max(slowest, (spent, query))
            print(
                f"{kind:<12} {len(queries):>4} {statistics.median(matches):>11,.0f} | "
                f"{percentile(wall, 0.5):>8.1f} {percentile(wall, 0.99):>7.1f} | "
                f"{percentile(cpu, 0.5):>7.1f} {percentile(cpu, 0.99):>7.1f} | "
                f"{percentile(database, 0.5):>7.1f} {percentile(database, 0.99):>7.1f} | {sorted(counts)}; "
                f"slowest in the database: {slowest[1]!r}",
                flush=True,
            )
            if kind == "two words":
                target = percentile(wall, 0.5)
    print("ms: wall = the whole request; cpu = this process (Django, templates); db = EXPLAIN ANALYZE, summed")
    print(f"target: two-word p50 < 30 ms (wall) -> {'met' if target < 30 else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="articles (default 100,000)")
    parser.add_argument("--words", type=int, default=400, help="words of body per article (default 400)")
    parser.add_argument("--queries", type=int, default=300, help="two-word queries measured (default 300)")
    parser.add_argument("--others", type=int, default=60, help="common-word, phrase and no-match queries (60 each)")
    parser.add_argument("--explain", type=int, default=60, help="queries of each kind re-run under EXPLAIN ANALYZE")
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
