"""A reader posts, replies, pages through the comments and sees the count change, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.services import sync_article_counts


@pytest.fixture
def story(live_url, make_article, make_comment, settings):
    # Three threads fill page 1; a reader's new thread pushes the oldest one to page 2.
    settings.COMMENTS_PER_PAGE = 3
    # Every browser shares 127.0.0.1: one comment per IP per interval would stop the second post.
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    article = make_article(headline="Harbor bridge vote")
    oldest = make_comment(article, author_name="First reader", body="The oldest thread.")
    make_comment(article, author_name="Second reader")
    make_comment(article, author_name="Third reader")
    sync_article_counts([article.pk])
    article.oldest = oldest
    return article


def post_comment(page, *, name, email, text):
    form = page.locator("#respond form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill(email)
    form.get_by_label("Comment").fill(text)
    form.get_by_role("button", name="Post comment").click()


def expect_count(page, n):
    expect(page.locator(".comments-count")).to_have_text(f"({n} Responses)")


def test_reader_posts_replies_inline_and_pages(page, make_page, story):
    page.goto(story.get_absolute_url())
    expect_count(page, 3)
    expect(page.locator(".comment-pages")).to_have_count(0)

    post_comment(page, name="Ada", email="ada@example.com", text="Bridges need\n\nmaintenance budgets.")
    comment = Comment.objects.get(author_name="Ada")
    page.wait_for_url(re.compile(rf"#comment-{comment.pk}$"))
    new = page.locator(f"#comment-{comment.pk}")
    expect(new).to_contain_text("maintenance budgets.")
    expect(new.locator(".comment-number")).to_have_text("4.")
    expect_count(page, 4)

    # Reply opens the form under the comment without leaving the page.
    url_before = page.url
    new.get_by_role("link", name="Reply").click()
    inline = page.locator(f"#reply-slot-{comment.pk} #respond")
    expect(inline).to_be_visible()
    expect(inline.locator(".respond-title")).to_have_text("Reply to Ada")
    assert page.url == url_before
    expect(page.locator("#respond-home #respond")).to_have_count(0)
    # Cancel puts it back; Reply again opens it again.
    inline.get_by_role("link", name="Cancel reply").click()
    expect(page.locator("#respond-home #respond")).to_be_visible()
    new.get_by_role("link", name="Reply").click()
    post_comment(page, name="Grace", email="grace@example.com", text="Agreed, and inspections too.")

    reply = Comment.objects.get(author_name="Grace")
    assert reply.parent_id == comment.pk
    page.wait_for_url(re.compile(rf"#comment-{reply.pk}$"))
    shown = page.locator(f"#comment-{reply.pk}")
    expect(shown).to_contain_text("Agreed, and inspections too.")
    expect(shown).to_have_class(re.compile(r"comment--reply"))
    # The reply sits right under its parent, indented.
    ids = page.locator(".comment").evaluate_all("nodes => nodes.map(n => n.id)")
    assert ids.index(f"comment-{reply.pk}") == ids.index(f"comment-{comment.pk}") + 1
    indents = shown.evaluate("n => getComputedStyle(n).marginLeft"), new.evaluate("n => getComputedStyle(n).marginLeft")
    assert float(indents[0].rstrip("px")) > float(indents[1].rstrip("px"))
    expect_count(page, 5)

    # Four threads at three a page: the oldest moved to page 2.
    expect(page.locator(f"#comment-{story.oldest.pk}")).to_have_count(0)
    page.locator(".comment-pages").get_by_role("link", name="2").click()
    page.wait_for_url(re.compile(r"\?page=2#comments$"))
    expect(page.locator(f"#comment-{story.oldest.pk}")).to_contain_text("The oldest thread.")
    expect(page.locator(".comment-pages [aria-current=page]")).to_have_text("2")

    # Another reader sees the new count at once (the cached page was dropped when the comments arrived).
    other = make_page()
    other.goto(story.get_absolute_url())
    expect_count(other, 5)
    expect(other.locator(f"#comment-{reply.pk}")).to_contain_text("inspections too")


def test_reader_without_javascript_posts_replies_and_pages(js_disabled_page, story):
    page = js_disabled_page
    page.goto(story.get_absolute_url())
    expect_count(page, 3)

    post_comment(page, name="Linus", email="linus@example.com", text="No scripts here.")
    comment = Comment.objects.get(author_name="Linus")
    page.wait_for_url(re.compile(rf"#comment-{comment.pk}$"))
    expect(page.locator(f"#comment-{comment.pk}")).to_contain_text("No scripts here.")
    expect_count(page, 4)

    # Reply is a link to the same page with the form bound to that comment.
    page.locator(f"#comment-{comment.pk}").get_by_role("link", name="Reply").click()
    page.wait_for_url(re.compile(rf"replyto={comment.pk}#respond$"))
    inline = page.locator(f"#reply-slot-{comment.pk} #respond")
    expect(inline).to_be_visible()
    expect(inline.locator("input[name=parent]")).to_have_value(str(comment.pk))
    post_comment(page, name="Margaret", email="margaret@example.com", text="Plain HTML still works.")

    reply = Comment.objects.get(author_name="Margaret")
    assert reply.parent_id == comment.pk
    page.wait_for_url(re.compile(rf"#comment-{reply.pk}$"))
    expect(page.locator(f"#comment-{reply.pk}")).to_have_class(re.compile(r"comment--reply"))
    expect_count(page, 5)

    page.locator(".comment-pages").get_by_role("link", name="2").click()
    page.wait_for_url(re.compile(r"\?page=2#comments$"))
    expect(page.locator(f"#comment-{story.oldest.pk}")).to_be_visible()


def test_refused_comment_explains_why(page, story):
    page.goto(story.get_absolute_url())
    # The browser's own checks would stop an invalid address first; a reader without them meets the server's.
    page.locator("#comment-form").evaluate("form => form.noValidate = true")
    post_comment(page, name="Ada", email="not-an-address", text="Hello")
    expect(page.get_by_role("heading", name="Your comment was not posted")).to_be_visible()
    expect(page.locator("#comment-form")).to_contain_text("Enter a valid email address.")
    expect(page.get_by_label("Comment")).to_have_value("Hello")
    assert not Comment.objects.filter(author_name="Ada").exists()


def test_live_server_database_keeps_the_newsroom_roles(live_url):
    # Later browser tests (a moderator's, an editor's) log in with these groups: a transactional test's flush
    # must not take them away.
    from django.contrib.auth.models import Group

    moderators = Group.objects.get(name="Moderator")
    assert moderators.permissions.filter(codename="moderate_comment").exists()
    assert Group.objects.filter(name__in=["Reporter", "Editor"]).count() == 2
