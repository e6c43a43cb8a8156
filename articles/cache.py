"""Page-cache invalidation for article pages.

Each article has a version number in Django's cache; cached pages are keyed by it, so bumping it makes every
cached copy of that article's pages stale at once, on every app server.
"""

from django.core.cache import cache


def version_key(article_id: int) -> str:
    return f"article-version:{article_id}"


def article_version(article_id: int) -> int:
    return cache.get(version_key(article_id)) or 0


def invalidate_article(article_id: int) -> None:
    """Call whenever what an article's page shows changes (the article, or its visible comments)."""
    key = version_key(article_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)
