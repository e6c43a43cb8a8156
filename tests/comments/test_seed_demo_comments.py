from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from comments.models import BlocklistEntry, Comment, CommentReport
from comments.threads import get_page

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo_comments", *args, stdout=out)
    return out.getvalue()


def test_without_demo_articles_it_says_what_to_do(make_article):
    make_article()  # the newsroom's own work is never the demo's
    assert "run `manage.py seed_demo` first" in seed()
    assert not Comment.objects.exists()


def test_busy_article_gets_hundreds_of_comments_over_several_pages(make_article):
    old = make_article(published_at=timezone.now() - timedelta(days=40), is_demo=True)
    busy = make_article(published_at=timezone.now() - timedelta(days=2), is_demo=True)
    make_article(status=Article.Status.DRAFT, is_demo=True)
    output = seed()

    busy.refresh_from_db()
    assert busy.comment_count >= 200
    assert f"over {get_page(busy).num_pages} pages" in output and get_page(busy).num_pages >= 3
    assert busy.comment_count == Comment.objects.filter(article=busy).published().count()
    assert not Comment.objects.filter(is_demo=False).exists()
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


def test_second_run_changes_nothing(make_article, make_comment):
    make_article(is_demo=True)
    make_article(is_demo=True)
    seed()
    # A moderator's decisions and a reader's new comment stand.
    purged = Comment.objects.spam().first()
    Comment.objects.filter(pk=purged.pk).delete()
    make_comment(Comment.objects.first().article, body="A real reader's words.")
    before = sorted(Comment.objects.values_list("pk", "article_id", "status"))
    assert "nothing to do" in seed()
    assert sorted(Comment.objects.values_list("pk", "article_id", "status")) == before


def test_demo_comments_never_land_on_the_newsrooms_own_articles(make_article):
    demo = make_article(published_at=timezone.now() - timedelta(days=3), is_demo=True)
    reporters_newest = make_article(published_at=timezone.now() - timedelta(minutes=5))
    seed()
    assert Comment.objects.filter(article=demo).count() >= 200
    assert not Comment.objects.filter(article=reporters_newest).exists()
    reporters_newest.refresh_from_db()
    assert reporters_newest.comment_count == 0


def test_spam_wave_rotates_names_but_comes_from_a_few_addresses(make_article):
    make_article(published_at=timezone.now() - timedelta(days=2), is_demo=True)
    make_article(published_at=timezone.now() - timedelta(days=6), is_demo=True)
    seed()
    wave = Comment.objects.filter(user_agent__in=["Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "python-requests/2.31"])
    assert wave.count() >= 200
    assert wave.values("author_name").distinct().count() >= 50
    assert wave.values("author_email").distinct().count() >= 200
    assert wave.values("ip_address").distinct().count() <= 5
    assert wave.spam().count() > wave.count() * 0.8
    assert wave.filter(is_blatant=True).exists() and wave.pending().exists()
    # Some got through; readers reported them, and enough reports hid a few of them.
    got_through = wave.filter(status__in=[Comment.Status.PUBLISHED, Comment.Status.FLAGGED])
    assert got_through.exists() and CommentReport.objects.filter(comment__in=got_through).exists()
    assert wave.flagged().exists()
    assert BlocklistEntry.objects.filter(kind=BlocklistEntry.Kind.IP).exists()
    assert BlocklistEntry.objects.filter(kind=BlocklistEntry.Kind.EMAIL).exists()
    assert all("http" in body or "www." in body for body in wave.values_list("body", flat=True))


def test_comments_fill_the_dashboard_month(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    seed()
    month = Comment.objects.filter(submitted_at__gte=timezone.now() - timedelta(days=30))
    days = {timezone.localdate(moment) for moment in month.values_list("submitted_at", flat=True)}
    assert len(days) >= 28


def test_works_after_the_demo_newsroom_is_seeded(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    seed()
    busiest = Article.objects.order_by("-comment_count").first()
    assert busiest.comment_count >= 200
    assert get_page(busiest, 2).comments
