"""Serving the previous copy of a changed article page while one request rebuilds it (a comment storm)."""

import re
import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.template import engines
from django.template.response import TemplateResponse
from django.test import Client, RequestFactory

from articles import cache as page_cache
from articles.cache import article_version, cache_article_page, invalidate_article, page_key, rebuild_lock_key
from articles.models import Article
from comments.services import submit_comment

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


class Clock:
    """Stands in for the cache's wall clock, so that a test decides how much time has passed."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(page_cache, "_now", clock)
    return clock


@pytest.fixture
def open_article(make_article):
    return make_article(comments_mode=Article.Comments.OPEN, headline="Harbour bridge reopens")


def post_comment(article, body):
    return submit_comment(article=article, author_name="Reader", author_email="reader@example.com", body=body, ip=None)


def get(client, article):
    return client.get(article.get_absolute_url())


def another_request_is_rebuilding(article):
    """Take the rebuild lock for the article's current version, as a request rendering it elsewhere would."""
    key = page_key(RequestFactory().get(article.get_absolute_url()))
    assert cache.add(rebuild_lock_key(key, article_version(article.pk)), 1)


def test_reader_gets_the_previous_copy_without_queries_while_another_rebuilds(
    open_article, clock, django_assert_num_queries
):
    post_comment(open_article, "Before the storm.")
    assert get(Client(), open_article)["X-Page-Cache"] == "miss"
    post_comment(open_article, "In the storm.")
    another_request_is_rebuilding(open_article)

    with django_assert_num_queries(0):
        response = get(Client(), open_article)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "stale"
    assert "Before the storm." in response.text
    assert "In the storm." not in response.text


def test_a_stale_copy_this_process_holds_is_served_without_reading_the_page_again(
    open_article, clock, watch_cache_reads
):
    post_comment(open_article, "Before the storm.")
    get(Client(), open_article)
    post_comment(open_article, "In the storm.")
    another_request_is_rebuilding(open_article)
    key = page_key(RequestFactory().get(open_article.get_absolute_url()))
    read = watch_cache_reads()
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "stale"
    assert "Before the storm." in response.text
    assert read and key not in read


@pytest.fixture
def cache_calls(monkeypatch):
    """Call it to start recording each call to the shared cache (each a round trip to Redis); returns the list."""

    def watch() -> list:
        calls, depth = [], [0]
        for name in ("get", "get_many", "add", "set", "set_many", "incr", "delete"):
            original = getattr(cache, name)

            def spy(*args, _original=original, _name=name, **kwargs):
                if not depth[0]:  # not the test cache's own get_many calling its get
                    calls.append(_name)
                depth[0] += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    depth[0] -= 1

            monkeypatch.setattr(cache, name, spy)
        return calls

    return watch


def test_a_stale_copy_while_changes_gather_costs_one_round_trip(open_article, clock, settings, cache_calls):
    settings.PAGE_CACHE_REBUILD_AFTER = 0.4
    get(Client(), open_article)
    post_comment(open_article, "Gathering.")
    clock.now += 0.1
    calls = cache_calls()
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "stale"
    assert calls == ["get_many"]  # the versions and when the change was made, read together


def test_readers_do_not_ask_again_for_a_rebuild_lock_this_process_found_taken(open_article, clock, cache_calls):
    get(Client(), open_article)
    post_comment(open_article, "In the storm.")
    another_request_is_rebuilding(open_article)
    calls = cache_calls()
    assert get(Client(), open_article)["X-Page-Cache"] == "stale"
    assert calls == ["get_many", "add"]  # the lock, refused: someone else rebuilds
    calls.clear()
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "stale"
    assert "In the storm." not in response.text
    assert calls == ["get_many"]


def test_a_lock_found_taken_does_not_keep_a_copy_past_the_bound(open_article, clock, settings):
    settings.PAGE_CACHE_STALE_SECONDS = 1.0
    get(Client(), open_article)
    post_comment(open_article, "Past the bound.")
    another_request_is_rebuilding(open_article)
    assert get(Client(), open_article)["X-Page-Cache"] == "stale"
    clock.now += 1.0
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert "Past the bound." in response.text


def test_a_newer_change_lets_this_process_take_the_rebuild_lock_again(open_article, clock, cache_calls):
    get(Client(), open_article)
    post_comment(open_article, "First.")
    another_request_is_rebuilding(open_article)
    assert get(Client(), open_article)["X-Page-Cache"] == "stale"
    post_comment(open_article, "Second.")  # a new version: its lock is free
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert "Second." in response.text


def test_first_reader_after_a_change_rebuilds_and_sees_it(open_article, clock):
    # With PAGE_CACHE_REBUILD_AFTER at 0 (the suite's setting; see the gathering tests below).
    get(Client(), open_article)
    post_comment(open_article, "Fresh for the rebuilder.")
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert "Fresh for the rebuilder." in response.text
    assert get(Client(), open_article)["X-Page-Cache"] == "hit"


def test_changes_younger_than_the_rebuild_delay_are_gathered_without_a_rebuild(open_article, clock, settings):
    settings.PAGE_CACHE_REBUILD_AFTER = 0.4
    get(Client(), open_article)
    post_comment(open_article, "Gathered.")
    clock.now += 0.3
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "stale"
    assert "Gathered." not in response.text
    # Nobody took the rebuild lock for this version: the copy is being served while changes gather.
    key = page_key(RequestFactory().get(open_article.get_absolute_url()))
    assert cache.get(rebuild_lock_key(key, article_version(open_article.pk))) is None

    clock.now += 0.15  # past the delay
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert "Gathered." in response.text


def test_a_storm_of_comments_costs_a_rebuild_per_delay_not_per_comment(open_article, clock, settings):
    settings.PAGE_CACHE_REBUILD_AFTER = 0.4
    settings.PAGE_CACHE_STALE_SECONDS = 1.0
    get(Client(), open_article)
    states, posted, seen_late = [], [], []
    for n in range(20):  # ten comments a second for two seconds, a reader between each two
        post_comment(open_article, f"Storm {n}.")
        posted.append((clock.now, f"Storm {n}."))
        clock.now += 0.1
        response = get(Client(), open_article)
        states.append(response["X-Page-Cache"])
        seen_late += [body for at, body in posted if clock.now - at > 0.5 and body not in response.text]
    assert states.count("miss") <= 5  # one rebuild each 0.4 s, not twenty
    assert "stale" in states
    assert seen_late == []  # every comment was on the page within half a second


def test_new_comment_is_on_everyones_page_within_the_bound(open_article, clock, settings):
    settings.PAGE_CACHE_STALE_SECONDS = 1.0
    get(Client(), open_article)
    post_comment(open_article, "Within a second.")
    another_request_is_rebuilding(open_article)  # and never finishes

    clock.now += 0.9
    assert "Within a second." not in get(Client(), open_article).text
    clock.now += 0.1
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert "Within a second." in response.text


def test_stale_copy_is_aged_from_the_first_change_it_lacks(open_article, clock, settings):
    """A stream of changes does not keep an old copy alive: the bound runs from the oldest change missing."""
    settings.PAGE_CACHE_STALE_SECONDS = 1.0
    get(Client(), open_article)
    for n in range(4):
        post_comment(open_article, f"Storm comment {n}.")
        another_request_is_rebuilding(open_article)
        clock.now += 0.3
    assert clock.now - 1.2 < page_cache._now() - 1.0  # the first change is 1.2 s old, the last 0.3 s
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert all(f"Storm comment {n}." in response.text for n in range(4))


def test_copy_from_before_a_lost_version_key_is_never_served_stale(open_article, clock):
    get(Client(), open_article)
    cache.delete(f"article-version:{open_article.pk}")
    post_comment(open_article, "After the eviction.")
    another_request_is_rebuilding(open_article)
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert "After the eviction." in response.text


def test_logged_in_reader_never_gets_a_stale_copy(client, open_article, clock, editor):
    get(Client(), open_article)
    post_comment(open_article, "Staff see it at once.")
    another_request_is_rebuilding(open_article)
    client.force_login(editor)
    response = get(client, open_article)
    assert "X-Page-Cache" not in response
    assert "Staff see it at once." in response.text


def test_stale_copies_are_off_with_zero_seconds(open_article, clock, settings):
    settings.PAGE_CACHE_STALE_SECONDS = 0
    get(Client(), open_article)
    post_comment(open_article, "No stale copies.")
    another_request_is_rebuilding(open_article)
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert "No stale copies." in response.text


def test_each_reader_of_a_stale_copy_gets_their_own_csrf_token(open_article, clock, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0  # both readers post from the test client's one address
    get(Client(enforce_csrf_checks=True), open_article)
    post_comment(open_article, "Tokens stay personal.")
    another_request_is_rebuilding(open_article)
    readers = []
    for _ in range(2):
        reader = Client(enforce_csrf_checks=True)
        page = get(reader, open_article)
        assert page["X-Page-Cache"] == "stale"
        assert "\x00" not in page.text
        (token,) = set(TOKEN.findall(page.text))
        assert _unmask_cipher_token(token) == reader.cookies["csrftoken"].value
        readers.append((reader, token))
    assert readers[0][1] != readers[1][1]
    assert readers[0][0].cookies["csrftoken"].value != readers[1][0].cookies["csrftoken"].value
    for n, (reader, token) in enumerate(readers):
        response = reader.post(
            f"/comments/post/{open_article.pk}/",
            {
                "name": "Cy",
                "email": "cy@example.com",
                "comment": f"From a stale page {n}.",
                "csrfmiddlewaretoken": token,
            },
        )
        assert response.status_code == 302


def test_only_one_request_rebuilds_under_concurrent_misses(open_article):
    """Eight readers arrive together just after a change: one renders, the seven others get the previous copy."""
    renders = []
    started = threading.Event()
    template = engines["django"].from_string("{{ article.headline }} v{{ n }}")

    def view(request):
        renders.append(1)
        started.set()
        time.sleep(0.3)  # a slow render, so that the others arrive while it runs
        return TemplateResponse(request, template, {"article": open_article, "n": len(renders)})

    cached_view = cache_article_page(view)
    url = open_article.get_absolute_url()

    def read():
        request = RequestFactory().get(url)
        request.user = AnonymousUser()
        response = cached_view(request)
        if hasattr(response, "render"):
            response.render()
        return response

    assert read()["X-Page-Cache"] == "miss"
    invalidate_article(open_article.pk)
    results = []
    barrier = threading.Barrier(8)

    def reader():
        barrier.wait()
        results.append(read())

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(renders) == 2  # the first fill and one rebuild
    states = sorted(response["X-Page-Cache"] for response in results)
    assert states == ["miss"] + ["stale"] * 7
    assert all(
        response.content == b"Harbour bridge reopens v1" for response in results if response["X-Page-Cache"] == "stale"
    )
    assert read().content == b"Harbour bridge reopens v2"
