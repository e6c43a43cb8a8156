import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from comments import counters
from comments.counters import sync_article_counts
from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_recount_walks_many_articles_in_batches(make_article, make_comment, monkeypatch):
    monkeypatch.setattr(counters, "SYNC_BATCH", 2)
    articles = [make_article() for _ in range(5)]
    make_comment(articles[4])
    Article.objects.update(comment_count=7)
    with CaptureQueriesContext(connection) as statements:
        sync_article_counts([a.pk for a in articles])
    updates = [q["sql"] for q in statements.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3  # 5 articles, 2 a statement
    assert list(
        Article.objects.filter(pk__in=[a.pk for a in articles]).order_by("pk").values_list("comment_count", flat=True)
    ) == [0, 0, 0, 0, 1]


@pytest.mark.django_db(transaction=True)
def test_a_recount_waiting_behind_another_counts_the_others_comment(make_article, make_comment):
    """Two recounts of one article at once on PostgreSQL: the one that waits for the row must count afresh.

    Without the row lock taken first, the waiting UPDATE would write back the count of the snapshot it started
    with, which lacks the comment the first recount's transaction had just published.
    """
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no two recounts can overlap")
    article = make_article()
    make_comment(article)
    hidden = make_comment(article, status=Comment.Status.PENDING)
    sync_article_counts([article.pk])
    finished = []

    def other_recount():
        try:
            sync_article_counts([article.pk])  # starts while the comment below is published but not committed
            finished.append(True)
        finally:
            connection.close()

    with transaction.atomic():
        Comment.objects.filter(pk=hidden.pk).update(status=Comment.Status.PUBLISHED)
        sync_article_counts([article.pk])  # holds the article's row until the commit
        other = threading.Thread(target=other_recount)
        other.start()
        time.sleep(0.5)  # the other recount is now waiting for the row
    other.join(timeout=10)
    assert finished == [True]
    article.refresh_from_db()
    assert article.comment_count == 2 == Comment.objects.filter(article=article, status="published").count()
