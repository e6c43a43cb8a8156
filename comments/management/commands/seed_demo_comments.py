"""Comment threads for the demo newsroom: run after `manage.py seed_demo`.

Only the demo's own articles (`Article.is_demo`) get comments, and every comment made here carries
`Comment.is_demo`. The newest demo article still open for comments gets a few hundred over several pages; every
other published demo article a handful, so that the moderation dashboard's chart fills a month. A spam wave hits
the open articles over the last few days, the pattern this project exists to beat: hundreds of pharmacy
comments from rotating throw-away names and emails but only a few addresses, most caught as spam, some held, a
few that got through and were reported by readers; blocklist entries for the worst sources follow.

Idempotent: once there are demo comments a re-run changes nothing, so a moderator's decisions (and purges) stand.
Everything is made up, and the addresses come from the ranges set aside for documentation.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments.blocklist import clean_value
from comments.counters import sync_article_counts
from comments.models import BlocklistEntry, Comment
from comments.moderation import report_comment

DEMO_DOMAIN = "demo.example"
DEMO_USER_AGENT = "Mozilla/5.0 (demo)"
SPAM_WAVE = 320  # comments
SPAM_WAVE_DAYS = 4

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

# The spam wave: throw-away identities rotate with every post, the sending addresses do not.
SPAM_IPS = ["203.0.113.66", "203.0.113.67", "198.51.100.23", "2001:db8:bad:1::17"]
SPAM_EMAIL_DOMAINS = ["pillbox.example", "quick-rx.example", "mailfast.example.net"]
SPAM_SHOPS = ["pillbox.example", "rx-direct.example", "cheapmeds.example.org", "pharma-24.example"]
SPAM_DRUGS = ["viagra", "cialis", "tramadol", "xanax", "levitra", "phentermine", "ambien", "v1agra", "c1alis"]
SPAM_NAME_FIRST = ["Cheap", "Best", "Discount", "Online", "Fast", "Generic", "Top", "Trusted", "Buy"]
SPAM_NAME_LAST = ["Pharmacy", "Meds", "Pills", "RX", "Drugstore", "Tablets", "Health"]
SPAM_BODIES = [
    "Buy {drug} online without prescription, {off}% off today only: http://{shop}/{drug}",
    "Great article, very informative! I found cheap {drug} here http://{shop}/?ref={n}",
    "{Drug} {dose}mg, overnight delivery, no questions. Order at http://{shop}/{drug}-{dose}",
    "Thanks for sharing. Need {drug}? Lowest prices guaranteed >> http://{shop}/best/{drug}",
    "I agree with the author. Also, generic {drug} is now {off}% cheaper: www.{shop}/{drug}",
    "Men's health: {drug} + {drug2} combo pack, free shipping worldwide http://{shop}/combo?id={n}",
]
REPORT_REASONS = [
    "Spam: selling pills.",
    "This is an advert, not a comment.",
    "Spam link.",
]
HEATED_REPLY = "Honestly, anyone who supports this plan has not been paying attention. Wake up, people."

User = get_user_model()


class Command(BaseCommand):
    help = "Add demo comment threads and a spam wave to the demo articles (run after seed_demo; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads", type=int, default=130, help="Top-level threads on the big article (default 130)."
        )

    def handle(self, *args, threads, **options):
        if Comment.objects.filter(is_demo=True).exists():
            self.stdout.write("Demo comments already there; nothing to do.")
            return
        articles = list(Article.objects.filter(is_demo=True).published().order_by("-published_at", "-id"))
        if not articles:
            self.stdout.write("No demo articles yet: run `manage.py seed_demo` first.")
            return
        open_articles = [article for article in articles if article.comments_open]
        big = open_articles[0] if open_articles else articles[0]
        rng = random.Random(2026)  # noqa: S311 - demo text, not security
        seeded = {}
        with transaction.atomic():
            seeded[big] = self._seed(big, rng, threads=threads, held=3, tombstone=False)
            for n, article in enumerate(a for a in articles if a != big):
                seeded[article] = self._seed(article, rng, threads=rng.randint(1, 6), tombstone=n == 0)
            spam = self._spam_wave(open_articles or [big], rng)
            reports = self._reports(big, spam, rng)
            blocked = self._blocklist()
            sync_article_counts(article.pk for article in seeded)

        total = sum(seeded.values()) + len(spam)
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {total} demo comments on {len(seeded)} articles, {len(spam)} of them a spam wave "
                f"({sum(c.status == Comment.Status.SPAM for c in spam)} caught as spam), {reports} reader reports "
                f"and {blocked} blocklist entries."
            )
        )
        big.refresh_from_db()
        pages = -(-Comment.objects.filter(article=big).top_level().published().count() // settings.COMMENTS_PER_PAGE)
        self.stdout.write(
            f"Busiest thread: {big.comment_count} comments over {pages} pages at {big.get_absolute_url()}"
        )

    def _seed(self, article, rng, *, threads, held=0, tombstone=False) -> int:
        """Threads in the order they were written: replies after their parent, times going forward."""
        start = article.published_at + timedelta(minutes=5)
        end = min(timezone.now(), article.published_at + timedelta(days=settings.COMMENTS_CLOSE_AFTER_DAYS))
        # About 2.6 comments a thread on average; times are spread over the comment window and never pass now.
        step = max((end - start) / max(threads * 3 + held, 1), timedelta(seconds=1))
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
        return made

    def _spam_wave(self, articles, rng) -> list[Comment]:
        """Most of it caught as spam (a fifth of that blatant), some held unchecked, a few got through."""
        now = timezone.now()
        made = []
        for _ in range(SPAM_WAVE):
            article = rng.choice(articles)
            earliest = max(article.published_at + timedelta(minutes=5), now - timedelta(days=SPAM_WAVE_DAYS))
            # Bursts: most of the wave lands in the most recent half of its window.
            when = now - (now - earliest) * (rng.random() ** 2 if rng.random() < 0.7 else rng.random())
            roll = rng.random()
            status = (
                Comment.Status.PUBLISHED
                if roll < 0.06
                else Comment.Status.PENDING
                if roll < 0.11
                else Comment.Status.SPAM
            )
            verdict, blatant, reason = Comment.Verdict.SPAM, False, ""
            if status == Comment.Status.PUBLISHED:
                verdict = Comment.Verdict.HAM
            elif status == Comment.Status.PENDING:
                verdict, reason = Comment.Verdict.ERROR, "Not spam-checked yet: Akismet timed out; re-check scheduled"
            elif rng.random() < 0.2:
                verdict, blatant = Comment.Verdict.DISCARD, True
            drug, drug2 = rng.sample(SPAM_DRUGS, 2)
            body = rng.choice(SPAM_BODIES).format(
                drug=drug, Drug=drug.capitalize(), drug2=drug2, shop=rng.choice(SPAM_SHOPS),
                off=rng.choice([30, 50, 70, 80]), dose=rng.choice([20, 50, 100]), n=rng.randint(100, 9999),
            )  # fmt: skip
            name = f"{rng.choice(SPAM_NAME_FIRST)} {rng.choice(SPAM_NAME_LAST)}"
            if rng.random() < 0.6:
                name = f"{name} {rng.randint(1, 999)}"
            handle = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 9)))
            made.append(
                self._comment(
                    article,
                    rng,
                    when,
                    body=body,
                    status=status,
                    name=name,
                    email=f"{handle}{rng.randint(10, 9999)}@{rng.choice(SPAM_EMAIL_DOMAINS)}",
                    ip=SPAM_IPS[min(int(rng.random() ** 1.5 * len(SPAM_IPS)), len(SPAM_IPS) - 1)],
                    verdict=verdict,
                    is_blatant=blatant,
                    pending_reason=reason,
                    user_agent=rng.choice(["Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "python-requests/2.31"]),
                )  # fmt: skip
            )
        return made

    def _reports(self, big, spam, rng) -> int:
        """Readers report the spam that got through (enough of them flag it) and one heated reply."""
        reports = 0
        for comment in (c for c in spam if c.status == Comment.Status.PUBLISHED):
            for reader in range(rng.randint(1, settings.COMMENTS_REPORT_THRESHOLD)):
                report_comment(
                    comment=comment, reporter_key=f"ip:192.0.2.{10 + reader}", reason=rng.choice(REPORT_REASONS)
                )
                reports += 1
        root = Comment.objects.filter(article=big, is_demo=True, parent__isnull=True).published().first()
        if root is not None:
            heated = self._comment(big, rng, max(root.submitted_at, timezone.now() - timedelta(hours=2)),
                                   body=HEATED_REPLY, parent=root, name="Skeptical Sam")  # fmt: skip
            report_comment(comment=heated, reporter_key="ip:192.0.2.77", reason="Rude to other readers.")
            reports += 1
        return reports

    def _blocklist(self) -> int:
        """What a moderator would add after the wave: the busiest address, a throw-away domain, a drug name."""
        moderator = User.objects.filter(username="moderator").first()
        made = 0
        for kind, value, action, note in [
            (BlocklistEntry.Kind.IP, SPAM_IPS[0], BlocklistEntry.Action.SPAM, "Pharmacy spam wave (demo)"),
            (BlocklistEntry.Kind.EMAIL, SPAM_EMAIL_DOMAINS[0], BlocklistEntry.Action.SPAM, "Throw-away mail (demo)"),
            (BlocklistEntry.Kind.WORD, "tramadol", BlocklistEntry.Action.HOLD, "Hold for a human (demo)"),
        ]:  # fmt: skip
            made += BlocklistEntry.objects.get_or_create(
                kind=kind,
                value=clean_value(kind, value),
                defaults={"action": action, "note": note, "created_by": moderator},
            )[1]
        return made

    def _comment(self, article, rng, when, *, body, parent=None, status=Comment.Status.PUBLISHED, name=None,
                 email=None, ip=None, verdict=None, user_agent=DEMO_USER_AGENT, **extra):  # fmt: skip
        name = name or rng.choice(NAMES)
        handle = "".join(ch for ch in name.lower() if ch.isalnum()) or "reader"
        if verdict is None:
            verdict = Comment.Verdict.SPAM if status == Comment.Status.SPAM else Comment.Verdict.UNCHECKED
        return Comment.objects.create(
            article=article,
            parent=parent,
            author_name=name,
            author_email=email or f"{handle}{rng.randint(1, 99)}@{DEMO_DOMAIN}",
            author_url=f"https://{handle}.example.net/" if email is None and rng.random() < 0.1 else "",
            body=body,
            status=status,
            submitted_at=when,
            ip_address=ip or f"{rng.choice(['192.0.2', '198.51.100', '203.0.113'])}.{rng.randint(1, 254)}",
            user_agent=user_agent,
            akismet_verdict=verdict,
            is_demo=True,
            **extra,
        )

    def _body(self, rng) -> str:
        first = f"{rng.choice(OPENERS)} {rng.choice(MIDDLES)}"
        closer = rng.choice(CLOSERS)
        if closer and rng.random() < 0.3:
            return f"{first}\n\n{closer}"
        return f"{first} {closer}".strip()
