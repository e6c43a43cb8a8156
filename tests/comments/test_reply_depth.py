import pytest
from django.test import override_settings
from django.urls import reverse

from comments.models import Comment
from comments.services import CommentRejected, submit_comment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("deep_settings")]


@pytest.fixture
def deep_settings():
    with override_settings(COMMENTS_MAX_DEPTH=3, COMMENTS_RATE_LIMIT_SECONDS=0):
        yield


@pytest.fixture
def chain(article, make_comment):
    root = make_comment(article)
    middle = make_comment(article, parent=root)
    deepest = make_comment(article, parent=middle)
    assert deepest.depth == 2
    return root, middle, deepest


def reply_to(article, parent, body="A reply to the deepest comment."):
    return submit_comment(article=article, author_name="Ada", author_email="ada@example.com", body=body, parent=parent)


def test_reply_past_the_deepest_level_goes_beside_its_parent_when_that_level_is_published(article, chain):
    root, middle, deepest = chain
    reply = reply_to(article, deepest)
    assert (reply.parent, reply.depth) == (middle, 2)


@pytest.mark.parametrize("status", [Comment.Status.REMOVED, Comment.Status.SPAM, Comment.Status.PENDING])
def test_reply_never_hangs_under_an_ancestor_readers_do_not_see(article, chain, status):
    root, middle, deepest = chain
    Comment.objects.filter(pk=middle.pk).update(status=status)
    reply = reply_to(article, deepest)
    assert (reply.parent, reply.depth) == (root, 1)
    assert reply.thread_id == root.pk and reply.path.startswith(root.path)


def test_reply_is_refused_with_a_reason_when_no_ancestor_is_shown(client, article, chain):
    root, middle, deepest = chain
    Comment.objects.filter(pk__in=[root.pk, middle.pk]).update(status=Comment.Status.REMOVED)
    with pytest.raises(CommentRejected) as refused:
        reply_to(article, deepest)
    assert "cannot take more replies" in refused.value.message
    response = client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"name": "Ada", "email": "ada@example.com", "comment": "Still here?", "parent": deepest.pk, "homepage": ""},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot take more replies" in body and "Still here?" in body  # the reader's words stay in the form
    assert Comment.objects.count() == 3
