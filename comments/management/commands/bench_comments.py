"""Build the benchmark article: `manage.py bench_comments --comments N [--spam-fraction F]`.

Every benchmark uses the thread shape of the shared fixture generator (`../shared/bench/gen_thread.py` beside
the repository), so figures compare with the peers measured on the same thread: when that script is there it
is run, otherwise `generate_thread` below, which reproduces it call for call (a test checks they agree).

The article is rebuilt from scratch on every run (same URL for the same N) and the comments go in with bulk
inserts carrying their final ids, thread ids, paths and depths; 5,000 comments take a second or two.
"""

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from articles.models import Article, Author, Byline, Section
from comments.counters import sync_article_counts
from comments.models import PATH_STEP, Comment

SEED = 20120502
SHARED_GENERATOR = Path(__file__).resolve().parents[4] / "shared" / "bench" / "gen_thread.py"
INSERT_BATCH = 500


def generate_thread(n: int, spam_fraction: float = 0.0) -> dict:
    """The same JSON-ready data as gen_thread.py for the same arguments (same seed, same draws, same order)."""
    rng = random.Random(SEED)  # noqa: S311 - a fixed seed is the point: every run builds the same thread
    words = (
        "missile defense shield radar treaty russia nato europe alliance deterrent "
        "negotiation election agreement deployment policy threat ballistic iran turkey "
        "security council envoy strategic stability conference moscow washington"
    ).split()
    spam_words = "buy cheap pills online pharmacy discount best price order now".split()
    para = (
        "The United States does not expect an agreement with Russia this year to settle a "
        "dispute about a plan to place an anti-ballistic missile shield in countries around Europe. "
    )
    article = {
        "headline": "Allies and rivals still at odds over missile shield",
        "slug": "allies-and-rivals-still-at-odds-over-missile-shield",
        "dek": "Officials say no agreement is expected this year.",
        "byline": "Test Reporter",
        "published_at": "2012-05-02T21:47:00Z",
        "body": "\n\n".join(para * 3 for _ in range(14)),
    }
    start = dt.datetime(2012, 5, 2, 22, 0, tzinfo=dt.UTC)
    comments, depth = [], {}
    for i in range(1, n + 1):
        parent = None
        if comments and rng.random() < 0.4:
            candidate = rng.choice(comments[-50:])
            if depth[candidate["id"]] < 3:
                parent = candidate["id"]
        depth[i] = 0 if parent is None else depth[parent] + 1
        spam = rng.random() < spam_fraction
        source = spam_words if spam else words
        body = " ".join(rng.choice(source) for _ in range(rng.randint(8, 60))).capitalize() + "."
        comments.append(
            {
                "id": i,
                "parent": parent,
                "name": f"{'spam' if spam else 'reader'}{rng.randint(1, 9999)}",
                "email": f"user{i}@example.com",
                "ip": f"198.51.100.{rng.randint(1, 254)}",
                "body": body,
                "submitted_at": (start + dt.timedelta(minutes=7 * i)).isoformat(),
                "is_spam": spam,
            }
        )
    return {"article": article, "comments": comments}


def load_thread(n: int, spam_fraction: float) -> tuple[dict, str]:
    if SHARED_GENERATOR.is_file():
        out = subprocess.run(  # noqa: S603 - our own interpreter running a file beside the repository
            [sys.executable, str(SHARED_GENERATOR), str(n), str(spam_fraction)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out), str(SHARED_GENERATOR)
    return generate_thread(n, spam_fraction), "the built-in copy of gen_thread.py"


@transaction.atomic
def build_article(data: dict, *, slug: str) -> Article:
    """Replace the article with this slug by the one in `data` (gen_thread.py's format), comments and all."""
    spec = data["article"]
    published_at = dt.datetime.fromisoformat(spec["published_at"].replace("Z", "+00:00"))
    Article.objects.filter(slug=slug).delete()
    section, _ = Section.objects.get_or_create(slug="world", defaults={"name": "World"})
    author, _ = Author.objects.get_or_create(slug="test-reporter", defaults={"name": spec["byline"]})
    article = Article.objects.create(
        headline=spec["headline"],
        slug=slug,
        dek=spec["dek"],
        body="".join(f"<p>{para.strip()}</p>\n" for para in spec["body"].split("\n\n")),
        section=section,
        status=Article.Status.PUBLISHED,
        published_at=published_at,
        # Open for good, so the page carries the comment form and the posting benchmark can use it.
        comments_mode=Article.Comments.OPEN,
    )
    Byline.objects.create(article=article, author=author, position=0)

    # Ids are given up front so every row is inserted complete: thread id and path include the row's own id.
    base = (Comment.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    rows, path_of, thread_of = [], {}, {}
    for item in data["comments"]:
        pk = base + item["id"] - 1
        parent = item["parent"]
        own = str(pk).zfill(PATH_STEP)
        if parent is None:
            parent_pk, thread_of[item["id"]], path_of[item["id"]] = None, pk, own
        else:
            parent_pk = base + parent - 1
            thread_of[item["id"]] = thread_of[parent]
            path_of[item["id"]] = path_of[parent] + own
        rows.append(
            Comment(
                pk=pk,
                article=article,
                parent_id=parent_pk,
                thread_id=thread_of[item["id"]],
                path=path_of[item["id"]],
                depth=len(path_of[item["id"]]) // PATH_STEP - 1,
                author_name=item["name"],
                author_email=item["email"],
                ip_address=item["ip"],
                body=item["body"],
                submitted_at=dt.datetime.fromisoformat(item["submitted_at"]),
                status=Comment.Status.SPAM if item["is_spam"] else Comment.Status.PUBLISHED,
                akismet_verdict=Comment.Verdict.SPAM if item["is_spam"] else Comment.Verdict.HAM,
            )
        )
    Comment.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    # Explicit ids leave PostgreSQL's sequence behind; the next comment posted must not collide.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
    sync_article_counts([article.pk])
    article.refresh_from_db()
    return article


class Command(BaseCommand):
    help = "Build a published article with N threaded comments in the shared benchmark shape; print its URL."

    def add_arguments(self, parser):
        parser.add_argument("--comments", type=int, required=True, help="How many comments (N).")
        parser.add_argument("--spam-fraction", type=float, default=0.0, help="Share of comments that are spam.")
        parser.add_argument(
            "--no-analyze",
            action="store_true",
            help="Leave the database's statistics as they were (to measure the page right after a bulk insert).",
        )

    def handle(self, *args, comments: int, spam_fraction: float, no_analyze: bool = False, **options):
        if comments < 0 or not 0 <= spam_fraction <= 1:
            raise CommandError("--comments must be 0 or more and --spam-fraction between 0 and 1.")
        data, source = load_thread(comments, spam_fraction)
        article = build_article(data, slug=f"{data['article']['slug']}-{comments}")
        if not no_analyze:
            # Thousands of rows just arrived: plan the page's queries for the table as it is now.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Comment._meta.db_table)}")
        self.stderr.write(
            f"Built article {article.pk} with {comments} comments ({article.comment_count} published) from {source}."
        )
        self.stdout.write(article.get_absolute_url())
