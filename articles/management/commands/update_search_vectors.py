from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max, Min

from articles.models import Article
from articles.search import refresh_search_vectors, text_search_config, uses_index


class Command(BaseCommand):
    help = (
        "Recompute every article's search vector (PostgreSQL): after loading articles in bulk without save(), "
        "or after changing SITE_LANGUAGE."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=10_000, help="Articles per UPDATE statement (each its own transaction)."
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if not uses_index():
            self.stdout.write("This database searches without a stored index (SQLite): nothing to do.")
            return
        bounds = Article.objects.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            self.stdout.write("No articles.")
            return
        updated = 0
        # Ranges of ids keep each statement's row locks short on a large, busy table.
        for start in range(bounds["low"], bounds["high"] + 1, batch_size):
            batch = Article.objects.filter(pk__gte=start, pk__lt=start + batch_size)
            updated += refresh_search_vectors(articles=batch)
            if options["verbosity"] > 1:
                self.stdout.write(f"{updated} articles so far")
        with connection.cursor() as cursor:
            # Fold the new entries into the GIN index and refresh the planner's statistics now rather than at
            # autovacuum's next visit, so the first searches after a bulk load already use the index well.
            cursor.execute("SELECT gin_clean_pending_list('article_search_vector_gin')")
            cursor.execute("ANALYZE articles_article")
        self.stdout.write(f"Updated the search vector of {updated} articles ({text_search_config()}).")
