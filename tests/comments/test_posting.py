from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.cache import article_version
from articles.models import Article
from comments import counters, services
from comments.models import Comment
from comments.services import CommentRejected, submit_comment, sync_article_counts

pytestmark = pytest.mark.django_db


def post_url(article) -> str:
    return reverse("comments:post", kwargs={"article_id": article.pk})


def form_data(**overrides) -> dict:
    data = {"name": "Ada", "email": "ada@example.com", "url": "", "comment": "A thoughtful remark.", "homepage": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_post_publishes_and_redirects_to_the_new_comment(client, article):
    response = client.post(
        post_url(article),
        form_data(url="example.org/ada"),
        REMOTE_ADDR="203.0.113.5",
        HTTP_USER_AGENT="Browser/1.0",
        HTTP_REFERER="http://testserver/story/",
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PUBLISHED
    assert (comment.author_name, comment.author_email, comment.author_url) == (
        "Ada",
        "ada@example.com",
        "https://example.org/ada",
    )
    assert (comment.ip_address, comment.user_agent, comment.referrer) == (
        "203.0.113.5",
        "Browser/1.0",
        "http://testserver/story/",
    )
    assert comment.parent is None and comment.depth == 0
    article.refresh_from_db()
    assert article.comment_count == 1
    page = client.get(response["Location"]).content.decode()
    assert "(1 Response)" in page and "A thoughtful remark." in page


def test_new_comment_drops_the_cached_article_page(client, article):
    before = article_version(article.pk)
    client.post(post_url(article), form_data())
    assert article_version(article.pk) != before


@override_settings(COMMENTS_PER_PAGE=2)
def test_reply_redirects_to_its_threads_page(client, article, make_comment):
    old = make_comment(article)
    make_comment(article)
    make_comment(article)
    response = client.post(post_url(article), form_data(parent=old.pk))
    reply = Comment.objects.get(body="A thoughtful remark.")
    assert (reply.parent, reply.thread_id, reply.depth) == (old, old.pk, 1)
    assert response["Location"] == f"{article.get_absolute_url()}?page=2#comment-{reply.pk}"


@override_settings(COMMENTS_MAX_DEPTH=2)
def test_reply_to_the_deepest_level_attaches_at_that_level(client, article, make_comment):
    root = make_comment(article)
    deepest = make_comment(article, parent=root)
    client.post(post_url(article), form_data(parent=deepest.pk))
    reply = Comment.objects.get(body="A thoughtful remark.")
    assert (reply.parent, reply.depth) == (root, 1)


def test_logged_in_reader_is_linked_to_the_comment(client, make_user, article):
    user = make_user()
    client.force_login(user)
    client.post(post_url(article), form_data())
    assert Comment.objects.get().user == user


@pytest.mark.parametrize("site_premoderated, article_mode", [(True, "site"), (False, "pre")])
def test_premoderation_holds_the_comment_for_everyone_but_its_poster(
    client, make_article, settings, site_premoderated, article_mode
):
    settings.COMMENTS_PREMODERATE = site_premoderated
    article = make_article(comment_moderation=article_mode)
    response = client.post(post_url(article), form_data(comment="Wait for me"))
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "Wait for me" in page and "Awaiting moderation" in page
    assert "Your comment is awaiting moderation" in page  # the flash message
    article.refresh_from_db()
    assert article.comment_count == 0
    assert "Wait for me" not in Client().get(article.get_absolute_url()).content.decode()


def test_site_premoderation_can_be_lifted_for_one_article(client, make_article, settings):
    settings.COMMENTS_PREMODERATE = True
    article = make_article(comment_moderation=Article.Moderation.POST)
    client.post(post_url(article), form_data())
    assert Comment.objects.get().status == Comment.Status.PUBLISHED


def test_submit_saves_pending_then_hands_over_to_screening(article, monkeypatch):
    seen = []

    def screen(comment):
        seen.append(Comment.objects.get(pk=comment.pk).status)
        comment.status = Comment.Status.SPAM
        comment.save(update_fields=["status"])

    monkeypatch.setattr(services, "screen_comment", screen)
    comment = submit_comment(article=article, author_name="Bot", author_email="bot@example.com", body="Buy")
    assert seen == [Comment.Status.PENDING]
    assert comment.status == Comment.Status.SPAM
    article.refresh_from_db()
    assert article.comment_count == 0


@pytest.mark.parametrize(
    "days, mode, is_open",
    [(13, "auto", True), (15, "auto", False), (1, "closed", False), (400, "open", True)],
)
def test_comments_close_automatically_unless_set_by_hand(make_article, days, mode, is_open):
    article = make_article(published_at=timezone.now() - timedelta(days=days), comments_mode=mode)
    assert article.comments_open is is_open


def test_post_to_a_closed_article_is_refused(client, make_article):
    article = make_article(comments_mode=Article.Comments.CLOSED)
    response = client.post(post_url(article), form_data())
    assert response.status_code == 403
    assert "Comments are closed on this article." in response.content.decode()
    assert not Comment.objects.exists()


def test_post_to_an_auto_closed_article_is_refused(client, make_article):
    article = make_article(published_at=timezone.now() - timedelta(days=20))
    assert client.post(post_url(article), form_data()).status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.UNPUBLISHED])
def test_post_to_an_unpublished_article_is_404(client, make_article, status):
    article = make_article(status=status)
    assert client.post(post_url(article), form_data()).status_code == 404
    assert client.post("/comments/post/987654/", form_data()).status_code == 404


def test_get_on_the_post_address_goes_back_to_the_form(client, article):
    response = client.get(post_url(article))
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#respond"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"comment": ""}, "This field is required."),
        ({"comment": " \n\t "}, "This field is required."),
        ({"email": ""}, "This field is required."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters (it has 101)."),
        ({"comment": "x" * 5001}, "Ensure this value has at most 5000 characters (it has 5001)."),
        ({"comment": "nul\x00byte"}, "Null characters are not allowed."),
        ({"name": "nul\x00"}, "Null characters are not allowed."),
        ({"email": "a\x00@example.com"}, "Null characters are not allowed."),
        ({"url": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"parent": "999999"}, "The comment you replied to does not exist."),
        ({"parent": "abc"}, "The comment you replied to does not exist."),
        ({"homepage": "http://spam.example"}, "Your comment could not be posted."),
    ],
)
def test_bad_input_gets_a_clear_message_and_a_400(client, article, overrides, message):
    response = client.post(post_url(article), form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Your comment was not posted" in response.content.decode()
    assert not Comment.objects.exists()


def test_bodies_at_the_limits_are_accepted(client, article):
    response = client.post(post_url(article), form_data(name="n" * 100, comment="c" * 5000))
    assert response.status_code == 302
    assert len(Comment.objects.get().body) == 5000


def test_refusal_keeps_what_the_reader_wrote_and_escapes_it(client, article):
    response = client.post(post_url(article), form_data(name="<script>x()</script>", email="bad"))
    html = response.content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script>x()" not in html
    assert "A thoughtful remark.</textarea>" in html


def test_parent_from_another_article_is_refused(client, article, make_article, make_comment):
    elsewhere = make_comment(make_article())
    response = client.post(post_url(article), form_data(parent=elsewhere.pk))
    assert response.status_code == 400
    assert "belongs to another article" in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("status", [Comment.Status.REMOVED, Comment.Status.SPAM, Comment.Status.PENDING])
def test_reply_to_a_hidden_comment_is_refused(client, article, make_comment, status):
    hidden = make_comment(article, status=status)
    response = client.post(post_url(article), form_data(parent=hidden.pk))
    assert response.status_code == 400
    assert "no longer available" in response.content.decode()


def test_missing_csrf_token_is_refused(article):
    client = Client(enforce_csrf_checks=True)
    response = client.post(post_url(article), form_data())
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_csrf_token_from_the_page_is_accepted(article):
    client = Client(enforce_csrf_checks=True)
    client.get(article.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post(post_url(article), form_data(csrfmiddlewaretoken=token))
    assert response.status_code == 302


def test_one_comment_per_ip_every_interval(client, article, make_article, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 15
    assert client.post(post_url(article), form_data(), REMOTE_ADDR="203.0.113.9").status_code == 302
    response = client.post(post_url(make_article()), form_data(comment="Again"), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert response["Retry-After"] == "15"
    assert "Please wait 15 seconds" in response.content.decode()
    assert client.post(post_url(article), form_data(comment="Other"), REMOTE_ADDR="203.0.113.10").status_code == 302
    assert Comment.objects.count() == 2


# The clock is faked with time.time, which only the local-memory cache reads; Redis expires keys by its own clock.
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_rate_limit_slot_frees_up_after_the_interval(client, article, settings, monkeypatch):
    import time

    settings.COMMENTS_RATE_LIMIT_SECONDS = 15
    assert client.post(post_url(article), form_data(comment="one")).status_code == 302
    assert client.post(post_url(article), form_data(comment="two")).status_code == 429
    later = time.time() + 16
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.post(post_url(article), form_data(comment="three")).status_code == 302


def test_rate_limit_is_skipped_when_the_cache_is_down(article, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(services.cache, "add", broken)
    comment = submit_comment(article=article, author_name="A", author_email="a@example.com", body="b", ip="192.0.2.1")
    assert comment.status == Comment.Status.PUBLISHED


def test_a_refused_post_does_not_use_up_the_rate_limit(client, article):
    assert client.post(post_url(article), form_data(email="bad")).status_code == 400
    assert client.post(post_url(article), form_data()).status_code == 302


def test_same_text_twice_from_the_same_email_is_refused(client, article, make_article, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    assert client.post(post_url(article), form_data(comment="Same words")).status_code == 302
    response = client.post(post_url(article), form_data(comment="  Same words \n", email="ADA@Example.com"))
    assert response.status_code == 400
    assert "already posted this comment" in response.content.decode()
    # Other text, another reader or another article are fine.
    assert client.post(post_url(article), form_data(comment="New words")).status_code == 302
    assert client.post(post_url(article), form_data(comment="Same words", email="bo@example.com")).status_code == 302
    assert client.post(post_url(make_article()), form_data(comment="Same words")).status_code == 302
    assert Comment.objects.count() == 4


def test_service_refuses_what_the_form_cannot_see(article, make_article, make_comment):
    other = make_comment(make_article())
    with pytest.raises(CommentRejected) as refused:
        submit_comment(article=article, author_name="A", author_email="a@example.com", body="b", parent=other)
    assert refused.value.status == 400
    closed = make_article(comments_mode=Article.Comments.CLOSED)
    with pytest.raises(CommentRejected) as refused:
        submit_comment(article=closed, author_name="A", author_email="a@example.com", body="b")
    assert refused.value.status == 403


def test_headers_are_clipped_and_cleaned(article):
    comment = submit_comment(
        article=article,
        author_name="A",
        author_email="a@example.com",
        body="b",
        user_agent="UA\x00" + "x" * 600,
        referrer="r" * 900,
    )
    assert "\x00" not in comment.user_agent and len(comment.user_agent) == 500
    assert len(comment.referrer) == 500


def test_sync_counts_published_comments_in_one_update(make_article, make_comment):
    articles = [make_article() for _ in range(3)]
    for n, article in enumerate(articles):
        for _ in range(n + 1):
            make_comment(article)
    make_comment(articles[0], status=Comment.Status.SPAM)
    make_comment(articles[0], status=Comment.Status.REMOVED)
    make_comment(articles[1], status=Comment.Status.PENDING)
    Article.objects.update(comment_count=99)
    versions = [article_version(a.pk) for a in articles]
    with CaptureQueriesContext(connection) as captured:
        sync_article_counts(a.pk for a in articles)
    statements = [q["sql"].split()[0] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert statements == ["SELECT", "UPDATE"]  # the articles' rows locked, then all three recounted at once
    assert [a.comment_count for a in Article.objects.filter(pk__in=[a.pk for a in articles]).order_by("pk")] == [
        1,
        2,
        3,
    ]
    assert all(article_version(a.pk) != v for a, v in zip(articles, versions, strict=True))


def test_sync_counts_batches_many_articles(make_article, monkeypatch):
    monkeypatch.setattr(counters, "SYNC_BATCH", 2)  # where sync_article_counts reads it
    articles = [make_article() for _ in range(5)]
    Article.objects.update(comment_count=7)
    with CaptureQueriesContext(connection) as captured:
        sync_article_counts([a.pk for a in articles] + [articles[0].pk])
    assert sum(q["sql"].startswith("UPDATE") for q in captured.captured_queries) == 3  # 5 articles, 2 a statement
    assert set(Article.objects.values_list("comment_count", flat=True)) == {0}


@pytest.mark.parametrize(
    "remote, forwarded, trusted, expected",
    [
        ("203.0.113.7", "", ["127.0.0.1"], "203.0.113.7"),
        # A reader talking to us directly cannot pass for someone else.
        ("203.0.113.7", "198.51.100.1", ["127.0.0.1"], "203.0.113.7"),
        # Behind our proxy: the address it saw, not what the client wrote further left.
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", ["127.0.0.1"], "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, 10.0.0.9", ["10.0.0.0/8"], "198.51.100.1"),
        ("127.0.0.1", "not-an-ip", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        ("::ffff:203.0.113.7", "", ["127.0.0.1"], "203.0.113.7"),
        ("", "", ["127.0.0.1", "bogus"], None),
        ("192.0.2.1", "198.51.100.1", ["*"], "198.51.100.1"),
    ],
)
def test_client_ip_believes_only_trusted_proxies(rf, settings, remote, forwarded, trusted, expected):
    from comments.views import client_ip

    settings.TRUSTED_PROXIES = trusted
    request = rf.post("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_readers_behind_the_proxy_are_rate_limited_one_by_one(client, article, make_article, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.COMMENTS_RATE_LIMIT_SECONDS = 15
    first = client.post(post_url(article), form_data(), HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = client.post(post_url(article), form_data(email="b@example.com"), HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = client.post(post_url(article), form_data(email="c@example.com"), HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert (first.status_code, second.status_code, again.status_code) == (302, 302, 429)
    assert set(Comment.objects.values_list("ip_address", flat=True)) == {"198.51.100.1", "198.51.100.2"}
