from datetime import timedelta

import pytest
from django.utils import timezone

from articles.cache import article_version
from articles.models import Article
from articles.services import publish_articles, submit_for_review, unpublish_articles

pytestmark = pytest.mark.django_db


def test_republishing_keeps_the_original_date_and_address(article):
    url = article.get_absolute_url()
    unpublish_articles(articles=Article.objects.filter(pk=article.pk))
    publish_articles(articles=Article.objects.filter(pk=article.pk))
    article.refresh_from_db()
    assert article.is_live
    assert article.get_absolute_url() == url


def test_publish_now_brings_a_scheduled_article_forward(make_article):
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    assert publish_articles(articles=Article.objects.filter(pk=scheduled.pk)) == 1
    scheduled.refresh_from_db()
    assert scheduled.is_live


def test_schedule_sets_the_time_and_keeps_it_off_the_site(make_article):
    draft = make_article(status=Article.Status.REVIEW)
    when = timezone.now() + timedelta(hours=5)
    publish_articles(articles=Article.objects.filter(pk=draft.pk), at=when)
    draft.refresh_from_db()
    assert draft.published_at == when
    assert draft.is_scheduled
    assert not Article.objects.published().filter(pk=draft.pk).exists()


def test_state_changes_invalidate_cached_pages(article):
    before = article_version(article.pk)
    unpublish_articles(articles=Article.objects.filter(pk=article.pk))
    assert article_version(article.pk) > before


def test_submit_for_review_only_moves_drafts(make_article):
    draft = make_article(status=Article.Status.DRAFT)
    live = make_article()
    assert submit_for_review(articles=Article.objects.filter(pk__in=[draft.pk, live.pk])) == 1
    draft.refresh_from_db()
    live.refresh_from_db()
    assert (draft.status, live.status) == (Article.Status.REVIEW, Article.Status.PUBLISHED)
