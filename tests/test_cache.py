"""The anonymous page cache for article pages, its precise invalidation, and the site without Redis."""

import logging
import os
import re
import socket

import pytest
import redis
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.core.handlers.base import BaseHandler
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.template import engines
from django.template.response import TemplateResponse
from django.test import Client, RequestFactory, override_settings

from articles import cache as page_cache
from articles.cache import article_version, cache_article_page, invalidate_article, page_key, reader_csrf_token
from articles.models import Article, Correction
from comments.models import Comment, ConductRules
from comments.moderation import approve_comments, remove_comments
from comments.services import submit_comment
from newsroom.cache import ResilientRedisCache

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/9")


def redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=0.5).ping())
    except redis.exceptions.RedisError:
        return False


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_caches(location: str) -> dict:
    return {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "newsroom-tests",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }


@pytest.fixture
def open_article(make_article):
    return make_article(comments_mode=Article.Comments.OPEN, headline="Harbour bridge reopens")


def post_comment(article, body, **extra):
    return submit_comment(
        article=article, author_name="Reader", author_email="reader@example.com", body=body, ip=None, **extra
    )


def without_nonces(content: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]*"', b"", content).replace(b" ", b"")


def get(client, article, **params):
    return client.get(article.get_absolute_url(), params)


# --- Hits and misses -------------------------------------------------------------------------------------


def test_second_anonymous_view_is_served_from_the_cache_without_queries(
    client, open_article, django_assert_num_queries
):
    post_comment(open_article, "First!")
    first = get(client, open_article)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"

    with django_assert_num_queries(0):
        second = get(Client(), open_article)
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert "Harbour bridge reopens" in second.text
    assert "First!" in second.text


def test_each_page_of_comments_is_cached_on_its_own(client, open_article, settings):
    settings.COMMENTS_PER_PAGE = 2
    for n in range(5):
        post_comment(open_article, f"Comment {n}.")
    assert get(client, open_article)["X-Page-Cache"] == "miss"
    page3 = get(client, open_article, page=3)
    assert page3["X-Page-Cache"] == "miss"
    assert "Comment 0." in page3.text and "Comment 4." not in page3.text
    again = get(Client(), open_article, page=3)
    assert again["X-Page-Cache"] == "hit"
    # The same page, apart from the policy nonce each response has its own of.
    assert without_nonces(again.content)[:2000] == without_nonces(page3.content)[:2000]


def test_other_query_strings_are_never_cached(rf, client, open_article):
    assert page_key(rf.get("/a/", {"page": "2"})) is not None
    assert page_key(rf.get("/a/", {"replyto": "7"})) is None
    assert page_key(rf.get("/a/", {"page": "x"})) is None
    assert page_key(rf.post("/a/")) is None
    emptied = rf.get("/a/")
    emptied.COOKIES["messages"] = ""  # deleted after the message was shown: nothing personal left
    assert page_key(emptied) is not None
    emptied.COOKIES["messages"] = "x"
    assert page_key(emptied) is None
    response = get(client, open_article, utm_source="feed")
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


@pytest.mark.parametrize(("cache_control", "expected"), [("", ["miss", "hit"]), ("private, no-store", [None, None])])
def test_a_page_its_view_marks_private_is_not_stored(rf, open_article, cache_control, expected):
    def view(request):
        template = engines["django"].from_string("{{ article.headline }}")
        response = TemplateResponse(request, template, {"article": open_article})
        if cache_control:
            response["Cache-Control"] = cache_control
        return response

    cached_view = cache_article_page(view)
    seen = []
    for _ in range(2):
        request = rf.get(open_article.get_absolute_url())
        request.user = AnonymousUser()
        response = cached_view(request)
        if hasattr(response, "render"):
            response.render()
        assert response.content == b"Harbour bridge reopens"
        seen.append(response.get("X-Page-Cache"))
    assert seen == expected


def test_page_cache_off_with_zero_seconds(client, open_article, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, open_article)
    response = get(Client(), open_article)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


# --- Invalidation ----------------------------------------------------------------------------------------


def test_new_published_comment_shows_at_once(client, open_article):
    assert "Later thought." not in get(client, open_article).text
    assert get(Client(), open_article)["X-Page-Cache"] == "hit"
    post_comment(open_article, "Later thought.")
    response = get(Client(), open_article)
    assert response["X-Page-Cache"] == "miss"
    assert "Later thought." in response.text


def test_comment_posted_through_the_form_shows_at_once(client, open_article):
    get(client, open_article)
    response = Client().post(
        f"/comments/post/{open_article.pk}/",
        {"name": "Ann", "email": "ann@example.com", "comment": "Posted through the form."},
    )
    assert response.status_code == 302
    assert "Posted through the form." in get(Client(), open_article).text


def test_moderators_decisions_show_at_once(client, open_article, moderator, django_capture_on_commit_callbacks):
    keep = post_comment(open_article, "A fair point.")
    drop = post_comment(open_article, "Something nasty.", parent=keep)
    assert "Something nasty." in get(client, open_article).text
    assert get(Client(), open_article)["X-Page-Cache"] == "hit"

    # Moderation recounts when its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        remove_comments(comments=Comment.objects.filter(pk=drop.pk), moderator=moderator)
    assert "Something nasty." not in get(Client(), open_article).text

    open_article.comment_moderation = Article.Moderation.PRE
    open_article.save()
    held = post_comment(open_article, "Held for a moderator.")
    assert held.status == Comment.Status.PENDING
    assert "Held for a moderator." not in get(Client(), open_article).text
    with django_capture_on_commit_callbacks(execute=True):
        approve_comments(comments=Comment.objects.filter(pk=held.pk), moderator=moderator)
    assert "Held for a moderator." in get(Client(), open_article).text


def test_editors_changes_show_at_once(client, open_article):
    get(client, open_article)
    assert get(Client(), open_article)["X-Page-Cache"] == "hit"

    open_article.headline = "Harbour bridge reopens after repairs"
    open_article.save()
    assert "Harbour bridge reopens after repairs" in get(Client(), open_article).text

    Correction.objects.create(article=open_article, text="An earlier version misstated the bridge's length.")
    assert "misstated the bridge" in get(Client(), open_article).text

    author = open_article.bylines.get().author
    author.name = "Renamed Reporter"
    author.save()
    assert "Renamed Reporter" in get(Client(), open_article).text

    open_article.status = Article.Status.UNPUBLISHED
    open_article.save()
    assert get(Client(), open_article).status_code == 404


def test_new_rules_of_conduct_show_on_every_cached_page(client, open_article):
    get(client, open_article)
    assert get(Client(), open_article)["X-Page-Cache"] == "hit"
    ConductRules.objects.create(text="Be kind to the harbour pilots.")
    assert "Be kind to the harbour pilots." in get(Client(), open_article).text


def test_expired_page_is_rendered_again_and_cached_anew(client, open_article):
    get(client, open_article)
    assert get(Client(), open_article)["X-Page-Cache"] == "hit"
    cache.delete(page_key(RequestFactory().get(open_article.get_absolute_url())))
    post_comment(open_article, "After the expiry.")
    again = get(Client(), open_article)
    assert again["X-Page-Cache"] == "miss"
    assert "After the expiry." in again.text
    assert get(Client(), open_article)["X-Page-Cache"] == "hit"


def test_version_bump_survives_a_lost_version_key(client, open_article):
    """A version key evicted from the cache never makes an older stored page current again."""
    get(client, open_article)
    before = article_version(open_article.pk)
    cache.delete(f"article-version:{open_article.pk}")
    assert article_version(open_article.pk) != before
    invalidate_article(open_article.pk)
    assert get(Client(), open_article)["X-Page-Cache"] == "miss"


# --- Who bypasses the cache ---------------------------------------------------------------------------------


def test_staff_always_see_a_fresh_page(client, open_article, editor):
    get(Client(), open_article)
    # Changed behind the cache's back (no signal): anonymous readers keep the cached copy until it expires...
    Article.objects.filter(pk=open_article.pk).update(headline="Quietly changed headline")
    assert "Quietly changed headline" not in get(Client(), open_article).text
    # ...but logged-in staff never get a cached page.
    client.force_login(editor)
    response = get(client, open_article)
    assert "X-Page-Cache" not in response
    assert "Quietly changed headline" in response.text


def test_reader_with_a_session_sees_their_own_pending_comment(open_article):
    open_article.comment_moderation = Article.Moderation.PRE
    open_article.save()
    get(Client(), open_article)
    poster = Client()
    response = poster.post(
        f"/comments/post/{open_article.pk}/",
        {"name": "Bo", "email": "bo@example.com", "comment": "Waiting my turn."},
    )
    assert response.status_code == 302
    mine = get(poster, open_article)
    assert "X-Page-Cache" not in mine
    assert "Waiting my turn." in mine.text
    others = get(Client(), open_article)
    assert others["X-Page-Cache"] == "hit"
    assert "Waiting my turn." not in others.text


# --- CSRF on a cached page ------------------------------------------------------------------------------


def test_comment_form_on_a_cached_page_carries_the_readers_own_token(open_article):
    first = Client(enforce_csrf_checks=True)
    first_page = get(first, open_article)
    assert first_page["X-Page-Cache"] == "miss"

    reader = Client(enforce_csrf_checks=True)
    page = get(reader, open_article)
    assert page["X-Page-Cache"] == "hit"
    tokens = set(TOKEN.findall(page.text))
    assert len(tokens) == 1
    token = tokens.pop()
    assert token not in first_page.text
    assert "\x00" not in page.text
    assert "csrftoken" in page.cookies

    response = reader.post(
        f"/comments/post/{open_article.pk}/",
        {
            "name": "Cy",
            "email": "cy@example.com",
            "comment": "Posted from a cached page.",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response.status_code == 302
    assert Comment.objects.filter(body="Posted from a cached page.").exists()


def test_post_without_the_token_is_still_refused(open_article):
    reader = Client(enforce_csrf_checks=True)
    get(reader, open_article)
    get(reader, open_article)
    response = reader.post(
        f"/comments/post/{open_article.pk}/", {"name": "Di", "email": "di@example.com", "comment": "No token."}
    )
    assert response.status_code == 403
    assert not Comment.objects.filter(body="No token.").exists()


# --- Served first in the middleware stack -----------------------------------------------------------------

NONCE = re.compile(r'<script type="application/ld\+json" nonce="([^"]+)">')


def header_nonce(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_a_hit_is_served_without_the_view_the_session_or_the_database(
    client, open_article, monkeypatch, django_assert_num_queries
):
    get(client, open_article)

    def must_not_run(*args, **kwargs):
        raise AssertionError("a cached page went down the middleware stack")

    monkeypatch.setattr(BaseHandler, "resolve_request", must_not_run)  # URL resolution, before any view
    monkeypatch.setattr(SessionMiddleware, "process_request", must_not_run)
    monkeypatch.setattr(AuthenticationMiddleware, "process_request", must_not_run)
    with django_assert_num_queries(0):
        hit = get(Client(), open_article)
    assert hit.status_code == 200
    assert hit["X-Page-Cache"] == "hit"
    assert "Harbour bridge reopens" in hit.text


def test_a_hit_carries_every_header_the_rendered_page_did(open_article):
    miss = get(Client(), open_article)
    hit = get(Client(), open_article)
    assert hit["X-Page-Cache"] == "hit"
    assert set(hit.headers) == set(miss.headers)
    for name in ("Content-Type", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Vary"):
        assert hit[name] == miss[name], name
    assert hit["Content-Length"] == str(len(hit.content))
    assert hit["Content-Security-Policy"].replace(header_nonce(hit), "") == miss["Content-Security-Policy"].replace(
        header_nonce(miss), ""
    )
    assert hit.cookies["csrftoken"]["samesite"] == miss.cookies["csrftoken"]["samesite"]


def test_each_cached_copy_carries_its_own_nonce_the_one_its_policy_names(open_article):
    miss = get(Client(), open_article)
    hits = [get(Client(), open_article) for _ in range(2)]
    nonces = set()
    for response in [miss, *hits]:
        (nonce,) = NONCE.findall(response.text)
        assert nonce == header_nonce(response)
        nonces.add(nonce)
    assert [hit["X-Page-Cache"] for hit in hits] == ["hit", "hit"]
    assert len(nonces) == 3
    assert "\x00" not in hits[0].text


def test_a_copy_served_without_a_policy_drops_its_nonce_and_still_gets_the_readers_token():
    entry = {
        "content": b'<script nonce="%s">x</script><input value="%s"><input value="%s">'
        % (page_cache.NONCE_PLACEHOLDER, page_cache.CSRF_PLACEHOLDER, page_cache.CSRF_PLACEHOLDER),
        "headers": {"Content-Type": "text/html; charset=utf-8"},
    }
    request = RequestFactory().get("/")  # no Content-Security-Policy middleware: no nonce
    response = page_cache._from_entry(request, entry)
    assert response.content.startswith(b"<script>x</script>")
    tokens = re.findall(rb'value="([A-Za-z0-9]{64})"', response.content)
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert _unmask_cipher_token(tokens[0].decode()) == request.META["CSRF_COOKIE"]
    assert b"\x00" not in response.content


def test_a_reader_with_a_csrf_cookie_keeps_it_on_a_cached_page(open_article):
    get(Client(), open_article)
    reader = Client()
    reader.cookies["csrftoken"] = "a" * 32
    page = get(reader, open_article)
    assert page["X-Page-Cache"] == "hit"
    (token,) = set(TOKEN.findall(page.text))
    assert _unmask_cipher_token(token) == "a" * 32
    assert reader.cookies["csrftoken"].value == "a" * 32


@pytest.mark.parametrize("site_url", ["", "https://news.example.org"])
def test_a_cached_page_asked_for_on_an_unknown_host_is_refused(open_article, settings, site_url):
    settings.SITE_URL = site_url  # set, the page's cache key does not depend on the host
    get(Client(), open_article)
    assert get(Client(), open_article)["X-Page-Cache"] == "hit"
    response = Client().get(open_article.get_absolute_url(), headers={"host": "evil.example"})
    assert response.status_code == 400


def test_a_cached_page_over_plain_http_still_redirects_to_https(open_article, settings):
    get(Client(), open_article)
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get(open_article.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    secure = Client().get(open_article.get_absolute_url(), secure=True)
    assert secure.status_code == 200
    assert secure["X-Page-Cache"] == "hit"


def shared_entry(article) -> tuple[str, dict]:
    key = page_key(RequestFactory().get(article.get_absolute_url()))
    return key, cache.get(key)


def test_a_hit_reads_only_the_versions_when_this_process_has_the_page(open_article, watch_cache_reads):
    get(Client(), open_article)
    key, _entry = shared_entry(open_article)
    read = watch_cache_reads()
    hit = get(Client(), open_article)
    assert hit["X-Page-Cache"] == "hit"
    assert "Harbour bridge reopens" in hit.text
    assert read and key not in read


def test_a_newer_copy_another_server_stored_replaces_this_process_copy(open_article):
    get(Client(), open_article)
    key, entry = shared_entry(open_article)
    old_copy = page_cache._local_copies[key]
    # Another app server: the article changed, it rendered the page and stored it.
    invalidate_article(open_article.pk)
    entry = {
        **entry,
        "version": article_version(open_article.pk),
        "content": entry["content"].replace(b"Harbour bridge reopens", b"Ferry service resumes"),
    }
    page_cache._store(key, entry, 300)
    page_cache._local_copies[key] = old_copy  # this process still has the old one
    hit = get(Client(), open_article)
    assert hit["X-Page-Cache"] == "hit"
    assert "Ferry service resumes" in hit.text


def test_this_process_copy_is_not_kept_past_the_shared_entry_expiry(open_article, settings):
    get(Client(), open_article)
    key, entry = shared_entry(open_article)
    page_cache._local_copies[key]["stored_at"] -= settings.PAGE_CACHE_SECONDS
    cache.set(key, {**entry, "content": entry["content"].replace(b"Harbour bridge", b"Swing bridge")}, 300)
    assert "Swing bridge reopens" in get(Client(), open_article).text


def test_each_process_keeps_only_its_latest_pages(monkeypatch):
    monkeypatch.setattr(page_cache, "_local_copies", {})
    monkeypatch.setattr(page_cache, "LOCAL_COPIES_MAX", 3)
    for n in range(5):
        page_cache._remember(f"page-{n}", {"article": n, "version": (1, 1), "content": b"", "stored_at": 0.0})
    assert list(page_cache._local_copies) == ["page-2", "page-3", "page-4"]


def test_reader_csrf_token_does_what_get_token_does(rf):
    request = rf.get("/")
    token = reader_csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert len(token) == 64 and len(secret) == 32
    assert set(token + secret) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    again = reader_csrf_token(request)
    assert again != token and _unmask_cipher_token(again) == secret
    many = "".join(reader_csrf_token(rf.get("/")) for _ in range(200))
    assert set(many) == set(CSRF_ALLOWED_CHARS)


# --- Redis ------------------------------------------------------------------------------------------------


def test_redis_down_answers_like_an_empty_cache_and_logs_once(caplog):
    backend = ResilientRedisCache(
        f"redis://127.0.0.1:{closed_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )
    with caplog.at_level(logging.ERROR, logger="newsroom.cache"):
        assert backend.get("k", "fallback") == "fallback"
        backend.set("k", 1)
        assert backend.add("k", 1) is True
        assert backend.incr("k") == 1
        assert backend.get_many(["a", "b"]) == {}
        assert backend.delete("k") is False
        assert backend.has_key("k") is False
        assert backend.ping() is False
    assert not backend.available
    outage_logs = [r for r in caplog.records if "Redis cache unavailable" in r.getMessage()]
    assert len(outage_logs) == 1


def test_site_keeps_serving_article_pages_when_redis_is_down(client, open_article):
    post_comment(open_article, "Still readable.")
    with override_settings(CACHES=redis_caches(f"redis://127.0.0.1:{closed_port()}/0")):
        cache.close()
        first = get(client, open_article)
        second = get(Client(), open_article)
        posted = Client().post(
            f"/comments/post/{open_article.pk}/",
            {"name": "Ed", "email": "ed@example.com", "comment": "Posted during the outage."},
        )
        after = get(Client(), open_article)
    assert first.status_code == second.status_code == 200
    assert "Still readable." in second.text
    assert posted.status_code == 302
    assert "Posted during the outage." in after.text


@pytest.mark.skipif(not redis_reachable(), reason=f"Redis is not reachable at {REDIS_TEST_URL}")
def test_page_cache_and_invalidation_on_real_redis(client, open_article):
    with override_settings(CACHES=redis_caches(REDIS_TEST_URL)):
        cache.clear()
        try:
            assert get(client, open_article)["X-Page-Cache"] == "miss"
            assert get(Client(), open_article)["X-Page-Cache"] == "hit"
            post_comment(open_article, "Through Redis.")
            fresh = get(Client(), open_article)
            assert fresh["X-Page-Cache"] == "miss"
            assert "Through Redis." in fresh.text
            assert cache.ping() is True
        finally:
            cache.clear()


@pytest.mark.skipif(not redis_reachable(), reason=f"Redis is not reachable at {REDIS_TEST_URL}")
def test_real_redis_round_trips_through_the_resilient_backend():
    backend = ResilientRedisCache(REDIS_TEST_URL, {"KEY_PREFIX": "newsroom-tests"})
    try:
        backend.set("answer", {"v": 42}, 30)
        assert backend.get("answer") == {"v": 42}
        backend.set("counter", 5, None)
        assert backend.incr("counter") == 6
        assert backend.add("counter", 1) is False
        with pytest.raises(ValueError):
            backend.incr("missing")
        assert backend.ping() is True
    finally:
        backend.delete_many(["answer", "counter"])


@pytest.mark.skipif(not redis_reachable(), reason=f"Redis is not reachable at {REDIS_TEST_URL}")
def test_resilient_backend_reuses_one_redis_client_per_pool():
    backend = ResilientRedisCache(REDIS_TEST_URL, {"KEY_PREFIX": "newsroom-tests"})
    try:
        client = backend._cache.get_client(write=True)
        backend.set("reused", 1, 30)
        assert backend.get_many(["reused", "absent"]) == {"reused": 1}
        assert backend._cache.get_client(write=True) is client
        assert backend._cache.get_client() is client  # one server: reads and writes share the pool
    finally:
        backend.delete("reused")
