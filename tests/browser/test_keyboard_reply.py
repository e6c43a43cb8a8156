"""Replying with a keyboard alone (Tab, Shift+Tab, Enter and typing): where focus goes, and what is announced."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from comments.services import sync_article_counts
from tests.browser.conftest import tab_to


@pytest.fixture
def story(live_url, make_article, make_comment, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    article = make_article(headline="Harbor bridge vote")
    article.grace = make_comment(article, author_name="Grace H.", body="The repairs are overdue.")
    make_comment(article, author_name="Linus T.", body="They cost too much.")
    sync_article_counts([article.pk])
    return article


def expect_focus(page, selector: str) -> None:
    expect(page.locator(selector)).to_be_focused()


def test_reply_refused_then_posted_with_keyboard_only(page, story):
    grace = story.grace
    reply_link = f"#comment-{grace.pk} a.comment-reply-link"
    page.goto(story.get_absolute_url())
    expect(page.locator(reply_link)).to_have_accessible_name("Reply to Grace H.")
    expect(page.locator(reply_link)).to_have_text("Reply to Grace H.")  # the name, hidden text included
    expect(page.locator(f"#comment-{grace.pk} a.comment-report-link")).to_have_accessible_name(
        "Report abuse in the comment by Grace H."
    )

    # Reply: the form opens under the comment, focus on its first field (Name), and the context is announced.
    tab_to(page, reply_link)
    page.keyboard.press("Enter")
    expect(page.locator(f"#reply-slot-{grace.pk} #respond")).to_be_visible()
    expect_focus(page, "#id_name")
    expect(page.locator("#respond-title")).to_have_text("Reply to Grace H.")
    expect(page.locator("#comment-announcer")).to_have_text("Reply to Grace H.: the comment form is open.")
    expect(page.locator("#id_comment")).to_have_accessible_description(re.compile(r"^Reply to Grace H\."))

    # Cancel (just before the fields) returns focus to the Reply link it came from.
    tab_to(page, "a.cancel-reply", backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator("#respond-home #respond")).to_be_visible()
    expect_focus(page, reply_link)
    expect(page.locator("#comment-announcer")).to_have_text("Reply cancelled.")

    # Reply again, with an address the browser accepts and the server does not.
    page.keyboard.press("Enter")
    expect_focus(page, "#id_name")
    page.keyboard.type("Ada")
    page.keyboard.press("Tab")
    expect_focus(page, "#id_email")
    page.keyboard.type("ada@example")
    page.keyboard.press("Tab")
    expect_focus(page, "#id_url")
    page.keyboard.press("Tab")
    expect_focus(page, "#id_comment")
    page.keyboard.type("Agreed: fix it before winter.")
    expect(page.locator("#comment-length")).to_be_attached()
    page.keyboard.press("Tab")  # past the honeypot, which is out of the tab order
    expect_focus(page, "#submit-id-submit")
    page.keyboard.press("Enter")

    # Refused: focus on the error summary, which is an alert with a heading and a link to the bad field.
    page.wait_for_url(re.compile(r"/comments/post/\d+/$"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    email_error = summary.get_by_role("link", name="Email: Enter a valid email address.")
    expect(email_error).to_be_visible()
    headings = page.evaluate("() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert headings[0] == 1 and all(b - a <= 1 for a, b in zip(headings, headings[1:], strict=False)), headings
    assert not Comment.objects.filter(author_name="Ada").exists()

    # The summary's link takes focus to the field, which says it is invalid and why.
    tab_to(page, "#error-summary a[href='#id_email']")
    page.keyboard.press("Enter")
    email = page.locator("#id_email")
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("Enter a valid email address"))
    expect(page.locator("#respond-title")).to_have_text("Reply to Grace H.")
    expect(page.locator("#id_comment")).to_have_value("Agreed: fix it before winter.")
    page.keyboard.press("Control+A")
    page.keyboard.type("ada@example.com")
    tab_to(page, "#submit-id-submit")
    page.keyboard.press("Enter")

    # Posted: back on the article at the new reply, which has focus, and the thanks is announced.
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    reply = Comment.objects.get(author_name="Ada")
    assert reply.parent_id == grace.pk
    assert page.url.endswith(f"#comment-{reply.pk}")
    expect(page.locator(f"#comment-{reply.pk}")).to_be_focused()
    expect(page.locator(".alert.comment-posted")).to_have_attribute("role", "status")
    expect(page.locator("#comment-announcer")).to_have_text("Thank you. Your comment is posted.")
