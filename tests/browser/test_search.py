import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect


def test_reader_searches_from_the_masthead_and_the_results_are_accessible(page, make_article):
    article = make_article(
        headline="Night ferry returns to the island",
        body="<p>The night ferry sails again from Thursday, the harbour master said.</p>",
    )
    make_article(headline="Council budget", body="<p>Nothing about boats.</p>")
    page.goto("/")
    page.get_by_label("Search articles").fill("ferry harbour")
    page.get_by_label("Search articles").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=ferry\+harbour$"))
    results = page.locator(".story-list article")
    expect(results).to_have_count(1)
    expect(results.get_by_role("link", name=article.headline)).to_be_visible()
    expect(results.locator("mark")).to_have_text(["ferry", "harbour"])
    expect(page.get_by_label("Search for")).to_have_value("ferry harbour")
    violations = Axe().run(page)
    assert violations.violations_count == 0, violations.generate_report()
