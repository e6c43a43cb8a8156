"""Editorial state changes, shared by the admin's actions and anything else that publishes.

Each change goes through `Article.save()`, so a moved address gets its redirect and the page cache's receivers
(articles/cache.py) drop cached copies of the article.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleQuerySet


def publish_articles(*, articles: ArticleQuerySet, at: datetime | None = None) -> int:
    """Publish now, or schedule for `at`; returns how many articles changed.

    Publishing now keeps a past publication time, so an article taken down and put back returns at its old
    address; a scheduled one goes out at once. A time in the future schedules: the article stays off every
    public page until then, with no job to run because `Article.objects.published()` compares with the clock.
    """
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        for article in _locked(articles):
            if at is not None:
                published_at = at
            elif article.published_at is None or article.published_at > now:
                published_at = now
            else:
                published_at = article.published_at
            if article.status == Article.Status.PUBLISHED and article.published_at == published_at:
                continue
            article.status = Article.Status.PUBLISHED
            article.published_at = published_at
            article.save()
            changed += 1
    return changed


def unpublish_articles(*, articles: ArticleQuerySet) -> int:
    """Take articles off the public site (their pages answer 404); they keep their publication time."""
    return _set_status(articles=articles.filter(status=Article.Status.PUBLISHED), status=Article.Status.UNPUBLISHED)


def submit_for_review(*, articles: ArticleQuerySet) -> int:
    """Hand drafts to the editors."""
    return _set_status(articles=articles.filter(status=Article.Status.DRAFT), status=Article.Status.REVIEW)


def _set_status(*, articles: ArticleQuerySet, status: str) -> int:
    changed = 0
    with transaction.atomic():
        for article in _locked(articles):
            article.status = status
            article.save(update_fields=["status", "updated_at"])
            changed += 1
    return changed


def _locked(articles: ArticleQuerySet) -> ArticleQuerySet:
    # Lock plain rows: the admin's querysets may carry joins or EXISTS filters that FOR UPDATE refuses.
    return Article.objects.select_for_update().filter(pk__in=list(articles.values_list("pk", flat=True)))
