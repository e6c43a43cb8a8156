import pytest
from django.test import override_settings

from comments.models import Comment
from comments.threads import page_number_of

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


@pytest.mark.parametrize("newest_first", [True, False])
def test_page_of_a_thread_counts_only_the_threads_readers_see(
    article, make_comment, settings, newest_first, django_assert_num_queries
):
    settings.COMMENTS_PER_PAGE = 2
    settings.COMMENTS_NEWEST_FIRST = newest_first

    def ahead_of(comment, count, **extra):
        made = [make_comment(article, **extra) for _ in range(count)]
        if not newest_first:  # ahead means older: move the thread behind them
            Comment.objects.filter(pk__in=[c.pk for c in made]).update(thread_id=comment.thread_id - 1000)
        return made

    mine = make_comment(article)
    with django_assert_num_queries(1):  # under a page of threads ahead: page 1 without counting what shows
        assert page_number_of(mine) == 1
    ahead_of(mine, 3, status=Comment.Status.SPAM)
    assert page_number_of(mine) == 1  # three threads ahead, none of them shown
    ahead_of(mine, 2)
    assert page_number_of(mine) == 2
    reply = make_comment(article, parent=mine)
    assert page_number_of(reply) == 2
