"""Keeping articles' comment counts right: the counter column the article pages and lists read."""

from collections.abc import Iterable
from itertools import islice

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from articles.cache import invalidate_article
from articles.models import Article
from comments.models import Comment

# How many article ids one UPDATE recounts; keeps the statement small when a bulk action touches thousands.
SYNC_BATCH = 500


def sync_article_counts(article_ids: Iterable[int]) -> None:
    """Recount `Article.comment_count` for these articles in SQL, then drop their cached pages.

    Call it after anything that changes which comments readers see (a new comment, a moderator's decision,
    a purge). The count is of published comments: a tombstone ("This comment was removed.") is not a response.
    Recounting rather than incrementing keeps the counter right however many changes race each other, as long
    as each count is taken after the article rows are locked: an UPDATE counts in the snapshot it started with,
    so one that waited on the row behind another recount would otherwise write back a count from before the
    other's comment (on PostgreSQL; SQLite runs one writer at a time).
    """
    ids = iter(sorted({int(pk) for pk in article_ids}))
    published = (
        Comment.objects.published()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    while batch := list(islice(ids, SYNC_BATCH)):
        with transaction.atomic():
            # Locked in id order (no deadlock between two recounts), then counted by a statement of its own.
            list(Article.objects.filter(pk__in=batch).order_by("pk").select_for_update().values_list("pk"))
            Article.objects.filter(pk__in=batch).update(
                comment_count=Coalesce(Subquery(published, output_field=IntegerField()), Value(0))
            )
        for article_id in batch:
            invalidate_article(article_id)
