from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        # Connects the page cache's invalidation receivers and its deploy check.
        from articles import cache  # noqa: F401
