from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # Connects the page cache's invalidation receivers and its deploy check, and registers the revisions.
        from articles import cache, revisions  # noqa: F401
