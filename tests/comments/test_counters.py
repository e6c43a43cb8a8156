import pytest

from articles.models import Article
from comments import counters
from comments.counters import sync_article_counts

pytestmark = pytest.mark.django_db


def test_recount_walks_many_articles_in_batches(make_article, make_comment, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(counters, "SYNC_BATCH", 2)
    articles = [make_article() for _ in range(5)]
    make_comment(articles[4])
    Article.objects.update(comment_count=7)
    with django_assert_num_queries(3):  # 5 articles, 2 a statement
        sync_article_counts([a.pk for a in articles])
    assert list(
        Article.objects.filter(pk__in=[a.pk for a in articles]).order_by("pk").values_list("comment_count", flat=True)
    ) == [0, 0, 0, 0, 1]
