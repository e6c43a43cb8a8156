from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from comments.threads import get_page

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo_comments", *args, stdout=out)
    return out.getvalue()


def test_without_articles_it_says_what_to_do():
    assert "run `manage.py seed_demo` first" in seed()
    assert not Comment.objects.exists()


def test_busy_article_gets_hundreds_of_comments_over_several_pages(make_article):
    old = make_article(published_at=timezone.now() - timedelta(days=40))
    busy = make_article(published_at=timezone.now() - timedelta(days=2))
    make_article(status=Article.Status.DRAFT)
    output = seed()

    busy.refresh_from_db()
    assert busy.comment_count >= 200
    assert f"over {get_page(busy).num_pages} pages" in output and get_page(busy).num_pages >= 3
    assert busy.comment_count == Comment.objects.filter(article=busy).published().count()
    # Replies sit in their parent's thread, and at most COMMENTS_MAX_DEPTH levels deep.
    for reply in Comment.objects.filter(article=busy, parent__isnull=False).select_related("parent"):
        assert reply.thread_id == reply.parent.thread_id and reply.path.startswith(reply.parent.path)
        assert reply.depth < settings.COMMENTS_MAX_DEPTH
    assert Comment.objects.filter(article=busy, depth__gt=1).exists()
    assert Comment.objects.filter(article=busy, status=Comment.Status.PENDING).exists()
    assert Comment.objects.filter(article=busy, status=Comment.Status.SPAM).exists()
    assert not Comment.objects.filter(submitted_at__gt=timezone.now()).exists()
    assert not Comment.objects.filter(article=busy, submitted_at__lt=busy.published_at).exists()
    # The older article gets a short thread with a tombstone that keeps its reply.
    removed = Comment.objects.get(article=old, status=Comment.Status.REMOVED)
    assert removed.replies.filter(status=Comment.Status.PUBLISHED).exists()


def test_second_run_changes_nothing(make_article):
    make_article()
    make_article()
    seed()
    before = sorted(Comment.objects.values_list("pk", "article_id", "status"))
    assert "nothing to do" in seed()
    assert sorted(Comment.objects.values_list("pk", "article_id", "status")) == before


def test_works_after_the_demo_newsroom_is_seeded(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    seed()
    busiest = Article.objects.order_by("-comment_count").first()
    assert busiest.comment_count >= 200
    assert get_page(busiest, 2).comments
