"""Posting a comment, and keeping articles' comment counts right.

`submit_comment` is the one way a reader's comment gets in, whatever the caller (the form view, a management
command, a test), so that flood control, spam screening and the article's counter never drift apart.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db import DatabaseError, transaction

from articles.models import Article
from comments.addresses import reader_network
from comments.counters import sync_article_counts  # noqa: F401  (callers import it from here)
from comments.dbretry import reconnect_if_dropped
from comments.models import Comment
from comments.spam import screen_comment
from comments.tasks import book_first_check
from comments.text import is_blank

logger = logging.getLogger(__name__)


class CommentNotSaved(Exception):
    """The database failed before the comment was stored: nothing was saved, and posting again is safe."""


class CommentRejected(Exception):
    """A comment that must not be stored; `message` is written for the reader, `status` is the HTTP answer."""

    def __init__(self, message: str, *, status: int = 400, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


def submit_comment(
    *,
    article: Article,
    author_name: str,
    author_email: str,
    body: str,
    author_url: str = "",
    parent: Comment | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    ip: str | None = None,
    user_agent: str = "",
    referrer: str = "",
    honeypot: str = "",
) -> Comment:
    """Check, store and screen a reader's comment; raise CommentRejected with a reader-facing reason.

    The comment is saved as pending first and then given its final status by the spam screening, so a comment
    is never visible before it has been screened and never lost if screening fails half-way.
    """
    if honeypot:
        # Only robots fill a field that people cannot see.
        raise CommentRejected("Your comment could not be posted.", code="honeypot")
    if not article.comments_open:
        raise CommentRejected("Comments are closed on this article.", status=403, code="closed")
    if parent is not None:
        if parent.article_id != article.pk:
            raise CommentRejected("The comment you replied to belongs to another article.", code="parent")
        if parent.status != Comment.Status.PUBLISHED:
            raise CommentRejected("The comment you replied to is no longer available.", code="parent")
        if parent.reply_target() is None:
            # At the deepest level a reply goes beside its parent, under a published ancestor; none is left.
            raise CommentRejected(
                "This conversation cannot take more replies: the comments it would go under are no longer shown. "
                "You can still comment on the article.",
                code="parent",
            )
    body = body.strip()
    if is_blank(body) or is_blank(author_name):
        raise CommentRejected("Write your name and a comment before posting.", code="empty")
    author_email = author_email.strip().lower()
    if Comment.objects.filter(author_email=author_email, article=article, body=body).exists():
        raise CommentRejected("You have already posted this comment on this article.", code="duplicate")
    if ip and not _take_rate_limit_slot(ip):
        raise CommentRejected(
            f"You are commenting too quickly. Please wait {settings.COMMENTS_RATE_LIMIT_SECONDS} seconds "
            "and post again.",
            status=429,
            code="rate_limited",
        )

    if user is not None and not user.is_authenticated:
        user = None
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                article=article,
                parent=parent,
                author_name=author_name.strip(),
                author_email=author_email,
                author_url=author_url.strip(),
                user=user,
                body=body,
                status=Comment.Status.PENDING,
                ip_address=ip or None,
                user_agent=_clip(user_agent, Comment._meta.get_field("user_agent").max_length),
                referrer=_clip(referrer, Comment._meta.get_field("referrer").max_length),
            )
            book_first_check(comment)
    except DatabaseError as error:
        reconnect_if_dropped()
        raise CommentNotSaved("We could not save your comment, please try again.") from error
    # Screening saves the final status and, when the comment goes up, recounts the article and drops its cached
    # pages (sync_article_counts), as every status change does.
    try:
        screen_comment(comment)
    except DatabaseError:
        # The comment is stored (pending, unchecked) and its re-check booked with it: the worker screens it.
        logger.warning("Screening of comment %s was cut short by a database error", comment.pk, exc_info=True)
        reconnect_if_dropped()
        comment.status = Comment.Status.PENDING
    return comment


def _take_rate_limit_slot(ip: str) -> bool:
    """One comment per IP per COMMENTS_RATE_LIMIT_SECONDS, counted in the shared cache (Redis in production).

    `cache.add` only writes a missing key, atomically on Redis, so two app servers cannot both let the same
    IP through.
    """
    seconds = settings.COMMENTS_RATE_LIMIT_SECONDS
    if seconds <= 0:
        return True
    # An IPv6 reader is their whole network: a fresh address from the same /64 is the same reader.
    key = "comments:rate:" + hashlib.sha256((reader_network(ip) or ip).encode()).hexdigest()[:32]
    try:
        return cache.add(key, 1, timeout=seconds)
    except Exception:
        # A cache outage must not stop readers commenting; the other checks and moderation still apply.
        logger.warning("Comment rate limit skipped: the cache is unavailable", exc_info=True)
        return True


def _clip(value: str, limit: int) -> str:
    # Headers come from the client as they like; keep what fits and drop NULs PostgreSQL would refuse.
    return (value or "").replace("\x00", "")[:limit]
