"""axe-core over the public site (at desktop and phone width) and the admin screens outside the article form.

A page fails on any critical or serious violation of WCAG 2.0-2.2 A/AA or axe's best practices; the article
add and change forms have their own module, test_a11y_article_form.py.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles import views
from articles.models import Tag
from comments.models import BlocklistEntry, Comment
from comments.services import sync_article_counts
from tests.browser.conftest import DESKTOP_WIDTH, PHONE_WIDTH, tab_to


@pytest.fixture
def newsroom(live_url, make_article, make_author, make_section, make_comment, settings, monkeypatch):
    """A small newsroom with every kind of public page: paged lists, an article with a photo, tags, a two-page
    comment section with replies, a held comment, a removed one, and a reader name written right to left."""
    settings.COMMENTS_PER_PAGE = 3
    monkeypatch.setattr(views.HomeView, "paginate_by", 2)
    section = make_section("City Hall")
    author = make_author("Grace Hopper", title="Metro reporter", bio="Covers the harbor and the council.")
    tag = Tag.objects.create(name="Bridges", slug="bridges")
    for n in range(3):
        make_article(headline=f"Council agenda item {n}", section=section, authors=[author]).tags.add(tag)
    article = make_article(
        headline="Harbor bridge vote",
        dek="The council votes on the repairs tonight.",
        section=section,
        authors=[author],
        lead_image="lead/bridge.jpg",
        lead_image_alt="The harbor bridge at dusk",
        lead_image_caption="The bridge has been closed to trucks since May.",
        lead_image_credit="Ada Lovelace / The Newsroom",
    )
    article.tags.add(tag)
    threads = [make_comment(article, author_name=f"Reader {n}", body=f"Thread {n} on the bridge.") for n in range(5)]
    make_comment(article, parent=threads[-1], author_name="Grace H.", body="A reply to the newest thread.")
    make_comment(article, author_name="\u202eevil name", body="\u202eRight to left override.")
    make_comment(article, status=Comment.Status.REMOVED, body="Removed.")
    sync_article_counts([article.pk])
    return {"article": article, "section": section, "author": author, "tag": tag, "comment": threads[-1]}


def public_paths(newsroom) -> list[str]:
    article = newsroom["article"]
    return [
        "/",
        "/?page=2",
        article.get_absolute_url(),
        f"{article.get_absolute_url()}?page=2",
        newsroom["section"].get_absolute_url(),
        newsroom["tag"].get_absolute_url(),
        newsroom["author"].get_absolute_url(),
        reverse("comments:report", args=[newsroom["comment"].pk]),
        "/no-such-page/",
    ]


@pytest.mark.parametrize("width", [DESKTOP_WIDTH, PHONE_WIDTH])
def test_public_pages_have_no_serious_axe_violations(page, newsroom, audit, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in public_paths(newsroom):
        audit(page, path)
    audit.assert_clean()


def test_refused_comment_page_has_no_serious_axe_violations(page, newsroom, audit):
    page.goto(newsroom["article"].get_absolute_url())
    form = page.locator("#comment-form")
    form.evaluate("form => form.noValidate = true")
    form.get_by_label("Name").fill("Ada")
    form.get_by_label("Email").fill("not-an-address")
    form.get_by_label("Comment").fill("Hello")
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**/comments/post/**")
    audit(page, label="refused comment")
    audit.assert_clean()


def test_admin_login_and_editor_article_list_have_no_serious_axe_violations(page, newsroom, editor, audit, sign_in):
    audit(page, "/admin/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    sign_in(page, editor)
    audit(page, "/admin/")
    audit(page, reverse("admin:articles_article_changelist"))
    audit.assert_clean()


def test_moderator_screens_have_no_serious_axe_violations(page, newsroom, moderator, audit, sign_in):
    entry = BlocklistEntry.objects.create(kind=BlocklistEntry.Kind.EMAIL, value="spam.example", note="A spam wave")
    sign_in(page, moderator)
    for path in [
        reverse("admin:comments_comment_changelist"),
        reverse("admin:comments_comment_changelist") + "?queue=all",
        reverse("admin:comments_comment_change", args=[newsroom["comment"].pk]),
        reverse("admin:comments_comment_dashboard"),
        reverse("admin:comments_blocklistentry_changelist"),
        reverse("admin:comments_blocklistentry_add"),
        reverse("admin:comments_blocklistentry_change", args=[entry.pk]),
    ]:
        audit(page, path)
    audit.assert_clean()


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, ...], other: tuple[float, ...]) -> float:
    lighter, darker = sorted([luminance(one), luminance(other)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rgb(css: str) -> tuple[float, ...]:
    return tuple(float(n) for n in re.findall(r"[\d.]+", css)[:3])


FOCUS_RING = """e => {
    const style = getComputedStyle(e);
    let back = e.parentElement, color = 'rgb(255, 255, 255)';
    while (back) {
        const c = getComputedStyle(back).backgroundColor;
        if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { color = c; break; }
        back = back.parentElement;
    }
    return {style: style.outlineStyle, width: parseFloat(style.outlineWidth), color: style.outlineColor, around: color};
}"""


def test_keyboard_focus_ring_is_solid_and_stands_out_three_to_one(page, newsroom):
    page.goto(newsroom["article"].get_absolute_url())
    for selector in [
        "a.visually-hidden-focusable",
        ".site-nav .nav-link",
        ".comment-reply-link",
        ".comment-pages .page-link",
        "#id_name",
        "#id_comment",
        "#submit-id-submit",
    ]:
        tab_to(page, selector)
        ring = page.evaluate(FOCUS_RING.replace("e =>", "() => (e => ") + ")(document.activeElement)")
        assert ring["style"] == "solid" and ring["width"] >= 2, (selector, ring)
        assert contrast(rgb(ring["color"]), rgb(ring["around"])) >= 3, (selector, ring)
    # Pagination on the article list too.
    page.goto("/")
    tab_to(page, ".pagination .page-link")
    ring = page.evaluate(FOCUS_RING.replace("e =>", "() => (e => ") + ")(document.activeElement)")
    assert ring["style"] == "solid" and contrast(rgb(ring["color"]), rgb(ring["around"])) >= 3, ring
