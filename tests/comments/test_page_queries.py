"""Reading one page of threads: the first page of an article with few threads needs no COUNT query, and the
page numbers come out the same whether or not it was run."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment
from comments.threads import get_page

pytestmark = pytest.mark.django_db


def counts_run(queries) -> int:
    return sum("COUNT(" in query["sql"].upper() for query in queries)


def test_first_page_short_of_threads_is_read_without_a_count(article, make_comment):
    first = make_comment(article)
    make_comment(article, parent=first)
    make_comment(article)
    with CaptureQueriesContext(connection) as queries:
        page = get_page(article, per_page=5, newest_first=False)
    assert counts_run(queries) == 0
    assert len(queries) == 2
    assert (page.number, page.num_pages, page.thread_count) == (1, 1, 2)
    assert [c.number for c in page.comments if c.depth == 0] == [1, 2]


def test_full_first_page_still_counts_the_threads_on_later_pages(article, make_comment):
    for _ in range(5):
        make_comment(article)
    with CaptureQueriesContext(connection) as queries:
        page = get_page(article, per_page=2)
    assert counts_run(queries) == 1
    assert (page.number, page.num_pages, page.thread_count) == (1, 3, 5)
    assert len(page.comments) == 2


def test_first_page_exactly_full_is_the_only_page(article, make_comment):
    for _ in range(2):
        make_comment(article)
    page = get_page(article, per_page=2)
    assert (page.num_pages, page.thread_count, page.has_other_pages) == (1, 2, False)


def test_article_without_comments_has_one_empty_page(article):
    with CaptureQueriesContext(connection) as queries:
        page = get_page(article, "not a number")
    assert len(queries) == 1
    assert (page.number, page.num_pages, page.thread_count, page.comments) == (1, 1, 0, [])


def test_later_and_out_of_range_pages_are_unchanged(article, make_comment):
    threads = [make_comment(article) for _ in range(5)]
    last = get_page(article, "99", per_page=2, newest_first=False)
    assert (last.number, last.num_pages, last.thread_count) == (3, 3, 5)
    assert [c.pk for c in last.comments] == [threads[4].pk]
    second = get_page(article, 2, per_page=2, newest_first=False)
    assert [c.pk for c in second.comments] == [threads[2].pk, threads[3].pk]


def test_hidden_threads_are_not_counted_on_a_short_first_page(article, make_comment):
    make_comment(article)
    make_comment(article, status=Comment.Status.SPAM)
    removed = make_comment(article, status=Comment.Status.REMOVED)
    make_comment(article, parent=removed)
    page = get_page(article, per_page=5, newest_first=False)
    assert page.thread_count == 2
    assert [c.display for c in page.comments] == ["published", "removed", "published"]
