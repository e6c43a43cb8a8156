"""Comment threads for the demo newsroom: run after `manage.py seed_demo`.

One article, the newest one still open for comments, gets a few hundred comments over several pages; a dozen
others get a handful each, with a tombstone keeping its replies, and a few held and spam comments for the
moderation queues. Idempotent: an article that already has demo comments is left alone, so a second run changes
nothing. Everything is made up, and the addresses come from the ranges set aside for documentation.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.services import sync_article_counts

DEMO_DOMAIN = "demo.example"
OTHER_ARTICLES = 12

NAMES = [
    "Harbor Watcher", "M. Alvarez", "Jo Pennington", "Dockside Dave", "Priti S.", "Old Mill Road", "K. Brandt",
    "Nora from Eastside", "Ferryman", "Theo Lindqvist", "Civic Minded", "Ana Ruiz", "Retired teacher",
    "W. Okonkwo", "Bayview Resident", "Lucy Tran", "Skeptical Sam", "Grace H.", "Port Alden Native", "R. Castillo",
]  # fmt: skip
OPENERS = [
    "I read this twice and I still have questions.",
    "Thanks for covering this; nobody else did.",
    "This is the part the council never explains.",
    "Good reporting, but the headline undersells it.",
    "I was at that meeting, and it went about like this.",
    "Has anyone asked what this costs over ten years?",
    "My neighbors have been talking about nothing else.",
    "Finally some numbers instead of talking points.",
    "I think the article misses the bigger picture.",
    "Counterpoint: the old plan was worse.",
]
MIDDLES = [
    "The ferry schedule alone should have been a warning sign.",
    "Every budget cycle we hear the same promises about the harbor.",
    "If the state covers half, the city still has to find the rest.",
    "Transit riders were not consulted, as usual.",
    "The school board has dealt with this exact problem before.",
    "Storm season starts in six weeks, so the timing matters.",
    "The public comment period is the place to raise this.",
    "Small businesses on Front Street are the ones who pay for delays.",
    "There is a full report at https://example.org/harbor-plan if you want the details.",
    "Read the minutes at www.example.com/council/minutes before deciding.",
]
CLOSERS = [
    "Curious what others think.",
    "We will see in November.",
    "Keep asking the hard questions.",
    "I hope the follow-up story looks at this.",
    "Not holding my breath.",
    "",
]
REPLIES = [
    "Agreed, and I would add that the numbers were revised last spring.",
    "I see it differently. The plan was public for months.",
    "Do you have a source for that?",
    "This. Exactly this.",
    "The article does mention it, in the fourth paragraph.",
    "That is fair, but the alternative costs more.",
    "My family has lived here for forty years and I have never seen it this bad.",
    "Respectfully, that is not what the report says.",
]
SPAM = [
    "Cheap watches!!! Best prices at http://spam.example/watches",
    "Work from home, earn $$$ fast: http://spam.example/jobs",
]


class Command(BaseCommand):
    help = "Add demo comment threads to the published articles (run after seed_demo; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads", type=int, default=130, help="Top-level threads on the big article (default 130)."
        )

    def handle(self, *args, threads, **options):
        articles = list(Article.objects.published().order_by("-published_at", "-id"))
        if not articles:
            self.stdout.write("No published articles yet: run `manage.py seed_demo` first.")
            return
        big = next((article for article in articles if article.comments_open), articles[0])
        others = [article for article in articles if article != big][:OTHER_ARTICLES]
        rng = random.Random(2026)  # noqa: S311 - demo text, not security
        seeded = {}
        with transaction.atomic():
            if self._fresh(big):
                seeded[big] = self._seed(big, rng, threads=threads, held=3, spam=4)
            for n, article in enumerate(others):
                if self._fresh(article):
                    seeded[article] = self._seed(article, rng, threads=rng.randint(1, 6), tombstone=n == 0)
            sync_article_counts(article.pk for article in seeded)

        if not seeded:
            self.stdout.write("Demo comments already there; nothing to do.")
            return
        total = sum(seeded.values())
        self.stdout.write(self.style.SUCCESS(f"Added {total} demo comments on {len(seeded)} articles."))
        big.refresh_from_db()
        pages = -(-Comment.objects.filter(article=big).top_level().published().count() // settings.COMMENTS_PER_PAGE)
        self.stdout.write(
            f"Busiest thread: {big.comment_count} comments over {pages} pages at {big.get_absolute_url()}"
        )

    def _fresh(self, article) -> bool:
        return not Comment.objects.filter(article=article, author_email__endswith=f"@{DEMO_DOMAIN}").exists()

    def _seed(self, article, rng, *, threads, held=0, spam=0, tombstone=False) -> int:
        """Threads in the order they were written: replies after their parent, times going forward."""
        start = article.published_at + timedelta(minutes=5)
        end = min(timezone.now(), article.published_at + timedelta(days=settings.COMMENTS_CLOSE_AFTER_DAYS))
        # About 2.6 comments a thread on average; times are spread over the comment window and never pass now.
        step = max((end - start) / max(threads * 3 + held + spam, 1), timedelta(seconds=1))
        now = timezone.now()
        clock = (min(start + step * i, now) for i in range(10**9))
        made = 0
        published = []
        for _ in range(threads):
            root = self._comment(article, rng, next(clock), body=self._body(rng))
            published.append(root)
            made += 1
            # Most threads get a few replies, some of them replies to replies, down to the deepest level.
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 4])):
                parent = rng.choice([c for c in published if c.thread_id == root.pk])
                reply = self._comment(article, rng, next(clock), body=rng.choice(REPLIES), parent=parent)
                published.append(reply)
                made += 1
        if tombstone and published:
            removed = published[0]
            self._comment(article, rng, next(clock), body=rng.choice(REPLIES), parent=removed)
            Comment.objects.filter(pk=removed.pk).update(status=Comment.Status.REMOVED)
            made += 1
        for _ in range(held):
            self._comment(article, rng, next(clock), body=self._body(rng), status=Comment.Status.PENDING)
            made += 1
        for i in range(spam):
            text = SPAM[i % len(SPAM)]
            self._comment(article, rng, next(clock), body=text, status=Comment.Status.SPAM, name="Best Deals")
            made += 1
        return made

    def _comment(self, article, rng, when, *, body, parent=None, status=Comment.Status.PUBLISHED, name=None):
        name = name or rng.choice(NAMES)
        handle = "".join(ch for ch in name.lower() if ch.isalnum()) or "reader"
        return Comment.objects.create(
            article=article,
            parent=parent,
            author_name=name,
            author_email=f"{handle}{rng.randint(1, 99)}@{DEMO_DOMAIN}",
            author_url=f"https://{handle}.example.net/" if rng.random() < 0.1 else "",
            body=body,
            status=status,
            submitted_at=when,
            ip_address=f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}",
            user_agent="Mozilla/5.0 (demo)",
            akismet_verdict=Comment.Verdict.SPAM if status == Comment.Status.SPAM else Comment.Verdict.UNCHECKED,
        )

    def _body(self, rng) -> str:
        first = f"{rng.choice(OPENERS)} {rng.choice(MIDDLES)}"
        closer = rng.choice(CLOSERS)
        if closer and rng.random() < 0.3:
            return f"{first}\n\n{closer}"
        return f"{first} {closer}".strip()
