from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # Connects the page cache's invalidation receivers, the deploy checks of the cache and the site address, and
        # the search index's receivers, and registers the revisions.
        from articles import cache, revisions, search, seo  # noqa: F401
