from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # Connects the page cache's invalidation receivers and its deploy check, and the search index's receivers.
        from articles import cache, search  # noqa: F401
