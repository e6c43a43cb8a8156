import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from articles.models import Article
from comments.models import DEFAULT_RULES, Comment, ConductRules
from comments.services import sync_article_counts

pytestmark = pytest.mark.django_db


def shown_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article id="comment-(\d+)"', response.content.decode())]


def section(response) -> str:
    html = response.content.decode()
    return html[html.index('<section id="comments"') :]


def get_page(client, article, **params):
    response = client.get(article.get_absolute_url(), params)
    assert response.status_code == 200
    return response


def test_section_shows_count_numbered_threads_and_indented_replies(client, article, make_comment):
    first = make_comment(article, author_name="Ada")
    second = make_comment(article, author_name="Grace")
    reply = make_comment(article, parent=first, author_name="Linus")
    reply_reply = make_comment(article, parent=reply)
    later_reply = make_comment(article, parent=first)
    sync_article_counts([article.pk])

    response = get_page(client, article)
    html = section(response)
    assert 'soundoff <span class="comments-count">(5 Responses)</span>' in html
    # Newest thread first; replies under their parent, in the order they came.
    assert shown_ids(response) == [second.pk, first.pk, reply.pk, reply_reply.pk, later_reply.pk]
    # Threads are numbered in the order they were started, so a thread keeps its number as new ones arrive.
    assert re.search(rf'id="comment-{second.pk}".*?<span class="comment-number">2\.</span>', html, re.S)
    assert re.search(rf'id="comment-{first.pk}".*?<span class="comment-number">1\.</span>', html, re.S)
    assert f'id="comment-{reply_reply.pk}" class="comment comment--published comment--reply depth-2"' in html
    assert html.count('class="comment-reply-link"') == 5


def test_one_response_is_singular(client, article, make_comment):
    make_comment(article)
    sync_article_counts([article.pk])
    assert "(1 Response)" in section(get_page(client, article))


@override_settings(COMMENTS_NEWEST_FIRST=False)
def test_setting_flips_thread_order(client, article, make_comment):
    first = make_comment(article)
    second = make_comment(article)
    assert shown_ids(get_page(client, article)) == [first.pk, second.pk]


def test_author_link_and_email_privacy(client, article, make_comment):
    make_comment(article, author_name="Site owner", author_url="https://example.org/me", author_email="me@example.org")
    make_comment(article, author_name="Sneaky", author_url="javascript:alert(1)")
    html = section(get_page(client, article))
    assert '<a href="https://example.org/me" rel="nofollow ugc"><bdi>Site owner</bdi></a>' in html
    assert "javascript:" not in html
    assert "me@example.org" not in html


def test_reader_text_is_escaped_and_links_are_safe(client, article, make_comment):
    make_comment(
        article,
        author_name='<img src=x onerror="alert(1)">',
        body='First line\nsecond line\n\n<script>alert("x")</script> see https://example.com/a?b=1&c=2 '
        '<a href="javascript:alert(1)">click</a>',
    )
    html = section(get_page(client, article))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert '<a href="javascript' not in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc">' in html
    assert "<p>First line<br>second line</p>" in html


def test_removed_comment_with_replies_is_a_tombstone_that_keeps_them(client, article, make_comment):
    parent = make_comment(article, body="Something awful")
    reply = make_comment(article, parent=parent, body="A fair answer")
    lonely = make_comment(article, body="Removed, nobody answered")
    Comment.objects.filter(pk__in=[parent.pk, lonely.pk]).update(status=Comment.Status.REMOVED)
    response = get_page(client, article)
    html = section(response)
    assert shown_ids(response) == [parent.pk, reply.pk]
    assert "This comment was removed." in html
    assert "Something awful" not in html and "Removed, nobody answered" not in html
    assert "A fair answer" in html
    # No reply to a tombstone.
    assert f'data-comment-id="{parent.pk}"' not in html


def test_hidden_reply_with_a_published_reply_keeps_its_place(client, article, make_comment):
    root = make_comment(article)
    middle = make_comment(article, parent=root, body="marked spam later")
    leaf = make_comment(article, parent=middle, body="innocent answer")
    spam_leaf = make_comment(article, parent=root, body="buy pills")
    Comment.objects.filter(pk__in=[middle.pk, spam_leaf.pk]).update(status=Comment.Status.SPAM)
    response = get_page(client, article)
    assert shown_ids(response) == [root.pk, middle.pk, leaf.pk]
    html = section(response)
    assert "marked spam later" not in html and "buy pills" not in html and "innocent answer" in html


def test_hidden_comments_are_not_shown(client, article, make_comment):
    visible = make_comment(article)
    for status in (Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.FLAGGED):
        make_comment(article, status=status, body=f"secret {status}")
    response = get_page(client, article)
    assert shown_ids(response) == [visible.pk]
    assert "secret" not in section(response)


@override_settings(COMMENTS_PER_PAGE=2)
def test_pages_are_counted_in_threads_and_replies_stay_with_their_thread(client, article, make_comment):
    roots = [make_comment(article) for _ in range(5)]  # newest first: 4 3 | 2 1 | 0
    replies = [make_comment(article, parent=roots[2]) for _ in range(3)]

    page1 = get_page(client, article)
    assert shown_ids(page1) == [roots[4].pk, roots[3].pk]
    nav = section(page1)
    assert 'aria-current="page">1</span>' in nav
    assert '?page=2#comments">2</a>' in nav and '?page=3#comments">3</a>' in nav

    page2 = get_page(client, article, page=2)
    assert shown_ids(page2) == [roots[2].pk, *[r.pk for r in replies], roots[1].pk]
    assert f'href="{article.get_absolute_url()}#comments">1</a>' in section(page2)
    assert shown_ids(get_page(client, article, page=3)) == [roots[0].pk]


@override_settings(COMMENTS_PER_PAGE=2)
@pytest.mark.parametrize(
    "page, expected", [("abc", 1), ("0", 1), ("-3", 1), ("99", 2), ("9" * 30, 2), ("2.5", 1), ("", 1)]
)
def test_a_bad_page_number_shows_the_nearest_page(client, article, make_comment, page, expected):
    for _ in range(3):
        make_comment(article)
    response = get_page(client, article, page=page)
    assert f'aria-current="page">{expected}</span>' in section(response)


@override_settings(COMMENTS_PER_PAGE=5)
def test_page_past_the_end_of_a_one_page_thread_list_shows_its_comments(client, article, make_comment):
    made = [make_comment(article, body=f"Only page comment {n}.") for n in range(3)]
    html = section(get_page(client, article, page=4))
    assert all(f"Only page comment {n}." in html for n in range(len(made)))


def test_long_page_lists_are_elided(client, article, make_comment, settings):
    settings.COMMENTS_PER_PAGE = 1
    for _ in range(12):
        make_comment(article)
    html = section(get_page(client, article, page=6))
    links = re.findall(r'class="page-link"[^>]*>([^<]+)<', html)
    assert links == ["1", "&hellip;", "4", "5", "6", "7", "8", "&hellip;", "12"]


@override_settings(COMMENTS_PER_PAGE=2)
def test_permalink_redirects_to_the_page_and_anchor(client, article, make_comment):
    roots = [make_comment(article) for _ in range(5)]
    reply = make_comment(article, parent=roots[0])
    response = client.get(reply.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}?page=3#comment-{reply.pk}"
    response = client.get(roots[4].get_absolute_url())
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{roots[4].pk}"


def test_permalink_of_a_hidden_or_missing_comment_is_404(client, article, make_comment):
    spam = make_comment(article, status=Comment.Status.SPAM)
    assert client.get(spam.get_absolute_url()).status_code == 404
    assert client.get("/comments/999999/").status_code == 404


@override_settings(COMMENTS_MAX_DEPTH=3)
def test_no_reply_link_at_the_deepest_level(client, article, make_comment):
    root = make_comment(article)
    level1 = make_comment(article, parent=root)
    level2 = make_comment(article, parent=level1)
    html = section(get_page(client, article))
    assert f'data-comment-id="{level1.pk}"' in html
    assert f'data-comment-id="{level2.pk}"' not in html


def test_reply_link_opens_the_form_bound_to_that_comment_without_javascript(client, article, make_comment):
    target = make_comment(article, author_name="Ada")
    other = make_comment(article)
    html = section(get_page(client, article, replyto=target.pk))
    slot = html[html.index(f'id="reply-slot-{target.pk}"') : html.index(f'id="comment-{other.pk}"')]
    # The form sits in the slot of the comment being answered (and only there) and carries its id.
    slot = html[html.index(f'id="reply-slot-{target.pk}"') :]
    assert slot.index('id="respond"') < slot.index("</article>")
    assert html.count('id="respond"') == 1
    assert re.search(rf'<input type="hidden" name="parent" value="{target.pk}"', slot)
    assert "Reply to <bdi>Ada</bdi>" in slot
    assert "Cancel reply" in slot


def test_reply_link_to_a_comment_not_on_the_page_is_ignored(client, article, make_comment):
    make_comment(article)
    html = section(get_page(client, article, replyto="12345"))
    assert re.search(r'id="respond-home">\s*<div id="respond"', html)
    assert 'name="parent" value=' not in html


def test_form_and_rules_show_when_open(client, article):
    html = section(get_page(client, article))
    assert "Post a comment" in html
    assert "Comments are not pre-screened before they post." in html
    assert "Be civil." in html and DEFAULT_RULES.splitlines()[0][:40] in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="homepage"' in html and 'class="comment-hp"' in html
    assert "Comments are closed" not in html


def test_premoderated_article_says_so(client, make_article):
    article = make_article(comment_moderation=Article.Moderation.PRE)
    assert "Comments are reviewed by a moderator before they appear." in section(get_page(client, article))


def test_staff_edited_rules_replace_the_default(client, article):
    ConductRules.objects.create(text="Old rules.")
    ConductRules.objects.create(text="Be kind <b>always</b>.\n\nSee https://example.com/rules")
    html = section(get_page(client, article))
    assert "Be civil." not in html and "Old rules." not in html
    assert "Be kind &lt;b&gt;always&lt;/b&gt;." in html
    assert 'href="https://example.com/rules"' in html


def test_rules_are_cached_and_saving_refreshes_them(article, django_assert_num_queries):
    rules = ConductRules.objects.create(text="First.")
    assert ConductRules.current_text() == "First."
    with django_assert_num_queries(0):
        assert ConductRules.current_text() == "First."
    rules.text = "Second."
    rules.save()
    assert ConductRules.current_text() == "Second."
    rules.delete()
    assert ConductRules.current_text() == DEFAULT_RULES


def test_closed_article_shows_comments_and_no_form(client, make_article, make_comment):
    article = make_article(published_at=timezone.now() - timedelta(days=15))
    comment = make_comment(article)
    response = get_page(client, article)
    html = section(response)
    assert shown_ids(response) == [comment.pk]
    assert "Comments are closed" in html
    assert 'id="comment-form"' not in html
    assert "comment-reply-link" not in html


def test_editor_can_close_or_reopen_by_hand(client, make_article, make_comment):
    closed = make_article(comments_mode=Article.Comments.CLOSED)
    reopened = make_article(published_at=timezone.now() - timedelta(days=30), comments_mode=Article.Comments.OPEN)
    assert "Comments are closed" in section(get_page(client, closed))
    assert 'id="comment-form"' in section(get_page(client, reopened))


def test_logged_in_reader_gets_name_and_email_filled_in(client, make_user, article):
    user = make_user(username="ada", first_name="Ada", last_name="Lovelace")
    client.force_login(user)
    html = section(get_page(client, article))
    assert re.search(r'name="name" value="Ada Lovelace"', html)
    assert re.search(r'name="email" value="ada@example.com"', html)


def test_pending_comment_is_shown_only_to_its_poster(article, make_comment):
    published = make_comment(article)
    poster = Client()
    response = poster.post(
        f"/comments/post/{article.pk}/",
        {"name": "Ada", "email": "ada@example.com", "comment": "Held back for now"},
    )
    assert response.status_code == 302
    held = Comment.objects.get(body="Held back for now")
    held.status = Comment.Status.PENDING
    held.save()
    sync_article_counts([article.pk])

    mine = section(get_page(poster, article))
    assert f'id="comment-{held.pk}"' in mine
    assert "Awaiting moderation" in mine
    theirs = get_page(Client(), article)
    assert shown_ids(theirs) == [published.pk]
    assert "Held back for now" not in section(theirs)
    assert "(1 Response)" in section(theirs)
    # The poster's permalink finds it, nobody else's does.
    assert poster.get(held.get_absolute_url()).status_code == 302
    assert Client().get(held.get_absolute_url()).status_code == 404


def make_many(article, threads: int, replies_per_thread: int) -> None:
    """Bulk-build threads the way Comment.save() would, without a query per comment."""
    roots = Comment.objects.bulk_create(
        Comment(article=article, author_name=f"R{i}", author_email=f"r{i}@example.com", body=f"Root {i}")
        for i in range(threads)
    )
    for root in roots:
        root.thread_id, root.path = root.pk, str(root.pk).zfill(10)
    Comment.objects.bulk_update(roots, ["thread_id", "path"], batch_size=500)
    for _ in range(replies_per_thread):
        replies = Comment.objects.bulk_create(
            Comment(
                article=article,
                parent=root,
                depth=1,
                thread_id=root.pk,
                author_name="Re",
                author_email="re@example.com",
                body="Reply https://example.com",
            )
            for root in roots
        )
        for reply, root in zip(replies, roots, strict=True):
            reply.path = root.path + str(reply.pk).zfill(10)
        Comment.objects.bulk_update(replies, ["path"], batch_size=500)
    sync_article_counts([article.pk])


# The article page's own queries (article, bylines, tags, corrections, site navigation) and the section's: the
# thread count, the page's thread ids, their comments and, on a cold cache, the rules of conduct. A margin for the
# article page.
ARTICLE_PAGE_QUERIES = 12


def test_article_page_queries_do_not_grow_with_comments(client, make_article, django_assert_max_num_queries):
    small, large = make_article(), make_article()
    make_many(small, 5, 1)
    make_many(large, 2500, 1)
    Comment.objects.filter(pk=Comment.objects.filter(article=large).first().pk).update(status=Comment.Status.REMOVED)
    ConductRules.current_text()  # the rules come from the cache on all but the first page view
    counts = []
    for article, page in ((small, 1), (large, 1), (large, 37)):
        with django_assert_max_num_queries(ARTICLE_PAGE_QUERIES) as captured:
            response = client.get(article.get_absolute_url(), {"page": page})
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2]
    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.comment_count, large.comment_count) == (10, 5000)
    assert len(shown_ids(response)) == 100  # 50 threads a page, each a root and its reply


def test_section_alone_costs_three_queries(rf, make_article, django_assert_num_queries):
    """The thread count, the page's thread ids, and their comments by that list (see comments.threads.get_page)."""
    from django.contrib.auth.models import AnonymousUser
    from django.template import engines

    article = make_article()
    make_many(article, 2500, 1)
    request = rf.get(article.get_absolute_url(), {"page": "3"})
    request.user = AnonymousUser()
    template = engines["django"].from_string("{% load comments %}{% comment_section article %}")
    template.render({"article": article}, request)  # warms the rules cache
    with django_assert_num_queries(3):
        html = template.render({"article": article}, request)
    assert html.count('class="comment comment--published') == 100


def test_poster_page_queries_do_not_grow_either(article, django_assert_max_num_queries):
    make_many(article, 2500, 1)
    poster = Client()
    poster.post(f"/comments/post/{article.pk}/", {"name": "Ada", "email": "ada@example.com", "comment": "My own words"})
    with django_assert_max_num_queries(ARTICLE_PAGE_QUERIES + 1):  # + the session
        response = poster.get(article.get_absolute_url())
    assert "My own words" in section(response)


@pytest.mark.parametrize("role, allowed", [("editor", True), ("moderator", True), ("reporter", False)])
def test_rules_are_edited_in_the_admin_by_editors_and_moderators(client, article, request, role, allowed):
    client.force_login(request.getfixturevalue(role))
    response = client.post("/admin/comments/conductrules/add/", {"text": "No shouting in the comments."})
    if allowed:
        assert response.status_code == 302
        assert "No shouting in the comments." in section(Client().get(article.get_absolute_url()))
    else:
        assert response.status_code == 403
        assert not ConductRules.objects.exists()


def test_published_comments_link_to_their_permalink_and_report_page(client, article, make_comment):
    comment = make_comment(article)
    held = make_comment(article, status=Comment.Status.REMOVED)
    make_comment(article, parent=held)
    html = section(get_page(client, article))
    assert f'href="{comment.get_absolute_url()}"' in html
    assert f'href="/comments/{comment.pk}/report/" rel="nofollow">Report abuse<span class="visually-hidden">' in html
    assert f"/comments/{held.pk}/report/" not in html


def form_html(response) -> str:
    html = section(response)
    return html[html.index('<div id="respond"') : html.index("</form>")]


def csrf_field(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html).group(1)


@override_settings(PAGE_CACHE_SECONDS=0)
def test_anonymous_form_is_rendered_once_and_gets_each_readers_own_token(article, make_comment):
    from django.middleware.csrf import _unmask_cipher_token

    from comments.templatetags import comments as comment_tags

    make_comment(article)
    comment_tags._anonymous_forms.clear()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_html = form_html(get_page(first, article))
    assert len(comment_tags._anonymous_forms) == 1
    second_html = form_html(get_page(second, article))
    # The second reader got the stored form, with their own token (matching their own CSRF cookie) swapped in.
    first_token, second_token = csrf_field(first_html), csrf_field(second_html)
    assert first_token != second_token
    assert _unmask_cipher_token(first_token) == first.cookies["csrftoken"].value
    assert _unmask_cipher_token(second_token) == second.cookies["csrftoken"].value
    assert first_html.replace(first_token, "") == second_html.replace(second_token, "")
    assert "\x00" not in second_html
    # ... and can post with it.
    response = second.post(
        f"/comments/post/{article.pk}/",
        {"csrfmiddlewaretoken": second_token, "name": "Ada", "email": "ada@example.com", "comment": "Hello there."},
    )
    assert response.status_code == 302


@override_settings(PAGE_CACHE_SECONDS=0)
def test_stored_anonymous_form_is_not_shown_to_logged_in_readers_or_replies(client, make_user, article, make_comment):
    comment = make_comment(article)
    get_page(Client(), article)
    get_page(Client(), article)
    user = make_user(username="grace", first_name="Grace", last_name="Hopper")
    client.force_login(user)
    html = section(get_page(client, article))
    assert 'name="name" value="Grace Hopper"' in html and 'name="email" value="grace@example.com"' in html
    reply_html = section(get_page(Client(), article, replyto=str(comment.pk)))
    assert f'name="parent" value="{comment.pk}"' in reply_html


@override_settings(PAGE_CACHE_SECONDS=0)
def test_stored_anonymous_form_follows_moderation_and_rules_changes(client, article):
    assert "Comments are not pre-screened" in section(get_page(client, article))
    article.comment_moderation = Article.Moderation.PRE
    article.save()
    ConductRules.objects.create(text="New <rules>.")
    html = section(get_page(Client(), article))
    assert "Comments are reviewed by a moderator before they appear." in html
    assert "New &lt;rules&gt;." in html
