"""A moderator logs in, filters the spam queue, selects all matching comments across pages and deletes them."""

import re

from playwright.sync_api import expect

from comments.models import Comment, ModerationRecord

SPAM = 230  # more than two pages of the list: "select all" has to reach past the first page


def test_moderator_empties_the_spam_queue_with_select_all(page, live_url, moderator, article, make_comment):
    Comment.objects.bulk_create(
        Comment(
            article=article,
            author_name=f"fiple{i}",
            author_email=f"fiple{i}@spam.example",
            body=f"Cheap pills {i} at http://pills.example",
            status=Comment.Status.SPAM,
            ip_address="192.0.2.10",
        )
        for i in range(SPAM)
    )
    waiting = make_comment(article, status=Comment.Status.PENDING, body="Please approve me.")
    published = make_comment(article, body="A reader's published comment.")

    page.goto("/admin/login/?next=/admin/comments/comment/")
    page.get_by_label("Username").fill(moderator.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()

    # The list opens on what needs a human.
    expect(page.locator("#result_list")).to_contain_text("Please approve me.")
    page.get_by_role("link", name=re.compile(rf"^Spam \({SPAM}\)$")).click()
    expect(page).to_have_url(re.compile(r"queue=spam"))
    expect(page.locator("#result_list tbody tr")).to_have_count(100)

    page.locator("#action-toggle").check()
    page.get_by_role("button", name=re.compile(rf"Select all {SPAM} comments")).click()
    expect(page.locator(".actions .all")).to_contain_text(f"All {SPAM} selected")
    page.locator("select[name=action]").select_option("delete_permanently")
    page.get_by_role("button", name="Go").click()

    # The confirmation counts; it does not list 230 objects.
    expect(page.locator(".confirm-question")).to_have_text(
        f"Delete {SPAM} comments permanently? This cannot be undone."
    )
    expect(page.locator(".confirm-breakdown th")).to_have_text("Spam")
    expect(page.locator(".confirm-breakdown td")).to_have_text(str(SPAM))
    page.get_by_role("button", name="Yes, delete permanently").click()

    expect(page.locator(".messagelist")).to_contain_text(f"{SPAM} deleted")
    expect(page.get_by_role("link", name=re.compile(r"^Spam \(0\)$"))).to_be_visible()
    assert not Comment.objects.spam().exists()
    assert set(Comment.objects.values_list("pk", flat=True)) == {waiting.pk, published.pk}
    record = ModerationRecord.objects.get()
    assert (record.actor_id, record.action, record.count) == (moderator.pk, "Deleted permanently", SPAM)
