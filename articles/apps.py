from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # Connects the page cache's invalidation receivers and the deploy checks of the cache and the site address.
        from articles import cache, seo  # noqa: F401
