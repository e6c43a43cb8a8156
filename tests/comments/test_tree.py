import pytest
from django.test import override_settings

from comments.models import Comment

pytestmark = pytest.mark.django_db


def test_create_with_parent_joins_the_thread(article, make_comment):
    root = make_comment(article)
    reply = make_comment(article, parent=root)
    nested = make_comment(article, parent=reply)
    root.refresh_from_db()
    reply.refresh_from_db()
    nested.refresh_from_db()
    assert root.thread_id == reply.thread_id == nested.thread_id == root.pk
    assert (root.depth, reply.depth, nested.depth) == (0, 1, 2)
    assert nested.path.startswith(reply.path) and reply.path.startswith(root.path)


def test_display_order_keeps_replies_under_their_parent(article, make_comment):
    first = make_comment(article)
    second = make_comment(article)
    first_reply = make_comment(article, parent=first)
    second_reply = make_comment(article, parent=second)
    first_reply_reply = make_comment(article, parent=first_reply)
    first_reply2 = make_comment(article, parent=first)
    ordered = list(Comment.objects.filter(article=article).in_display_order(newest_first=True))
    assert ordered == [second, second_reply, first, first_reply, first_reply_reply, first_reply2]
    oldest = list(Comment.objects.filter(article=article).in_display_order(newest_first=False))
    assert oldest[:4] == [first, first_reply, first_reply_reply, first_reply2]


@override_settings(COMMENTS_MAX_DEPTH=3)
def test_reply_past_max_depth_attaches_at_deepest_level(article, make_comment):
    root = make_comment(article)
    level1 = make_comment(article, parent=root)
    level2 = make_comment(article, parent=level1)
    too_deep = make_comment(article, parent=level2)
    assert too_deep.depth == 2
    assert too_deep.parent == level1


def test_reply_does_not_rewrite_the_thread(article, make_comment, django_assert_max_num_queries):
    root = make_comment(article)
    for _ in range(20):
        make_comment(article, parent=root)
    root = Comment.objects.get(pk=root.pk)
    # insert + path update (plus savepoint bookkeeping): never a write per sibling
    with django_assert_max_num_queries(4):
        Comment.objects.create(article=article, parent=root, author_name="x", author_email="x@example.com", body="b")
