"""The comment section's markup for screen readers, keyboards and a strict CSP: named action links, isolated
bidirectional text, indentation by class, and a refused post that says what to fix."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from comments.services import sync_article_counts

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: everything after it on the line is drawn backwards


def article_html(client, article, **params) -> str:
    response = client.get(article.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def comment_html(html: str, comment: Comment) -> str:
    match = re.search(rf'<article id="comment-{comment.pk}".*?</article>', html, re.S)
    assert match, f"comment {comment.pk} is not on the page"
    return match.group(0)


def visible_text(html: str) -> str:
    without_hidden = re.sub(r'<span class="visually-hidden">.*?</span>', "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", without_hidden)


def accessible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_reply_and_report_links_are_named_after_the_comment_but_read_the_same(client, article, make_comment):
    grace = make_comment(article, author_name="Grace H.")
    make_comment(article, author_name="Linus T.")
    sync_article_counts([article.pk])
    html = comment_html(article_html(client, article), grace)

    reply = re.search(r'<a class="comment-reply-link"[^>]*>(.*?)</a>', html, re.S).group(1)
    report = re.search(r'<a class="comment-report-link"[^>]*>(.*?)</a>', html, re.S).group(1)
    assert accessible_text(reply) == "Reply to Grace H."
    assert visible_text(reply) == "Reply"
    assert accessible_text(report) == "Report abuse in the comment by Grace H."
    assert visible_text(report) == "Report abuse"


def test_link_names_escape_the_authors_name(client, article, make_comment):
    make_comment(article, author_name='<img src=x onerror="alert(1)">')
    html = article_html(client, article)
    assert "<img src=x" not in html
    assert 'Reply<span class="visually-hidden"> to <bdi>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</bdi>' in html


def test_names_and_bodies_are_isolated_from_a_right_to_left_override(client, article, make_comment):
    comment = make_comment(article, author_name=f"{RLO}evil", body=f"{RLO}backwards text")
    html = comment_html(article_html(client, article), comment)
    assert f'<span class="comment-author"><bdi>{RLO}evil</bdi></span>' in html
    assert f'<div class="comment-body" dir="auto"><p>{RLO}backwards text</p></div>' in html
    # Every drawn copy of the name (the author, the two link names) sits in its own <bdi>; the only other ones are
    # the body (dir="auto") and the Reply link's data-author attribute, which is never drawn.
    assert html.count(f"<bdi>{RLO}evil</bdi>") == 3
    assert re.sub(r'data-author="[^"]*"', "", html).count(RLO) == 4


def test_linked_author_name_is_isolated_inside_the_link(client, article, make_comment):
    comment = make_comment(article, author_name="Site owner", author_url="https://example.org/me")
    html = comment_html(article_html(client, article), comment)
    assert '<a href="https://example.org/me" rel="nofollow ugc"><bdi>Site owner</bdi></a>' in html


def test_replies_are_indented_by_class_without_inline_styles(client, article, make_comment, settings):
    settings.COMMENTS_MAX_DEPTH = 8
    chain = [make_comment(article)]
    for _ in range(7):
        chain.append(make_comment(article, parent=chain[-1]))
    sync_article_counts([article.pk])
    html = article_html(client, article)
    depths = [Comment.objects.get(pk=c.pk).depth for c in chain]
    for comment, depth in zip(chain, depths, strict=True):
        assert f"depth-{min(depth, 6)}" in comment_html(html, comment).split(">", 1)[0]
    assert max(depths) > 6  # deeper threads stop indenting at depth-6
    assert "style=" not in html


def test_report_page_has_no_inline_styles(client, article, make_comment):
    comment = make_comment(article)
    html = client.get(reverse("comments:report", args=[comment.pk])).content.decode()
    assert "Report a comment" in html
    assert "style=" not in html


def test_comment_box_is_described_by_the_reply_context_and_the_counter(client, article, make_comment):
    grace = make_comment(article, author_name="Grace H.")
    html = article_html(client, article, replyto=grace.pk)
    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    assert 'aria-describedby="respond-title comment-length"' in textarea
    assert re.search(r'<h3 id="respond-title"[^>]*>Reply to <bdi>Grace H\.</bdi></h3>', html)
    assert '<p class="form-text comment-length" id="comment-length" aria-live="polite"></p>' in html
    assert 'id="comment-announcer" class="visually-hidden" role="status"' in html


def refuse(article, **data) -> str:
    fields = {"name": "Ada", "email": "ada@example.com", "url": "", "comment": "A remark.", "homepage": ""}
    fields.update(data)
    response = Client().post(reverse("comments:post", kwargs={"article_id": article.pk}), fields)
    assert response.status_code == 400
    return response.content.decode()


def test_refused_comment_has_an_error_summary_linking_to_each_bad_field(article):
    html = refuse(article, email="ada@example", comment="")
    summary = re.search(r'<div id="error-summary"[^>]*>.*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert 'aria-labelledby="error-summary-title"' in summary
    assert '<h2 id="error-summary-title" class="h5">There is a problem</h2>' in summary
    assert '<a href="#id_email">Email: Enter a valid email address.</a>' in summary
    assert '<a href="#id_comment">Comment: This field is required.</a>' in summary
    # The fields keep their own error state and description.
    email = re.search(r'<input type="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email and 'aria-describedby="id_email_helptext id_email_error"' in email
    textarea = re.search(r"<textarea[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="respond-title id_comment_error comment-length"' in textarea


def test_refused_comment_page_headings_do_not_skip_a_level(article):
    html = refuse(article, email="ada@example")
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_refusal_without_a_bad_field_still_says_why_in_the_summary(article, make_comment):
    html = refuse(article, comment="x", parent="999999")
    summary = re.search(r'<div id="error-summary"[^>]*>.*?</div>', html, re.S).group(0)
    assert "The comment you replied to does not exist." in summary


def test_posted_comment_is_announced_as_a_status_message(client, article):
    response = client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        {"name": "Ada", "email": "ada@example.com", "url": "", "comment": "A remark.", "homepage": ""},
        follow=True,
    )
    html = response.content.decode()
    assert re.search(
        r'<div class="alert alert-success comment-posted" role="status">Thank you\. Your comment is posted\.</div>',
        html,
    )
