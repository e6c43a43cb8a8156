"""The comment screens link only where the moderator can go: no "View on site" or anchor that answers 404."""

import pytest
from django.urls import reverse

from articles.models import Article
from comments.models import Comment

pytestmark = pytest.mark.django_db

Status = Comment.Status
CHANGELIST = "/admin/comments/comment/"


@pytest.fixture
def moderating(client, moderator):
    client.force_login(moderator)
    return client


def links_on_change_page(client, comment) -> str:
    return client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()


@pytest.mark.parametrize("status", [Status.PENDING, Status.SPAM, Status.FLAGGED])
def test_hidden_comment_has_no_view_on_site_and_no_permalink(moderating, article, make_comment, status):
    comment = make_comment(article, status=status)
    page = links_on_change_page(moderating, comment)
    assert "View on site" not in page
    permalink = reverse("comments:permalink", args=[comment.pk])
    assert permalink not in page
    listing = moderating.get(CHANGELIST, {"queue": "all"}).content.decode()
    assert permalink not in listing and f"#{comment.pk}" in listing
    assert moderating.get(permalink).status_code == 404  # why there is no link


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.REMOVED])
def test_shown_comment_links_to_its_place_on_the_site(moderating, article, make_comment, status):
    comment = make_comment(article, status=status)
    page = links_on_change_page(moderating, comment)
    assert "View on site" in page
    permalink = reverse("comments:permalink", args=[comment.pk])
    assert permalink in moderating.get(CHANGELIST, {"queue": "all"}).content.decode()
    assert moderating.get(permalink).status_code == 302


def test_comment_on_an_unpublished_article_links_nowhere_on_the_site(moderating, make_article, make_comment):
    draft = make_article(status=Article.Status.DRAFT)
    comment = make_comment(draft)
    assert "View on site" not in links_on_change_page(moderating, comment)
    listing = moderating.get(CHANGELIST, {"queue": "all"}).content.decode()
    assert draft.get_absolute_url() not in listing
    assert reverse("comments:permalink", args=[comment.pk]) not in listing
