"""Old WordPress addresses answer 301 with the imported article's address; other pages pay nothing for it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from wordpress.models import WordPressObject

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(import_wxr, site_export):
    import_wxr(site_export)


def article_of(wp_id: int) -> Article:
    return Article.objects.get(pk=WordPressObject.objects.get(kind="post", wp_id=wp_id).object_id)


def assert_moved(response, article: Article) -> None:
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_old_slug_redirects_to_the_article(client, imported):
    assert_moved(client.get("/2012/05/02/mayor-leads-count/"), article_of(10))


def test_old_permalink_without_trailing_slash_redirects(client, imported):
    response = client.get("/2012/05/02/mayor-leads-count", follow=True)
    assert response.redirect_chain[-1] == (article_of(10).get_absolute_url(), 301)
    assert response.status_code == 200


def test_old_non_ascii_permalink_redirects_to_the_new_ascii_address(client, imported):
    response = client.get("/2012/05/05/%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82-%d0%bc%d0%b8%d1%80/")
    assert_moved(response, article_of(18))
    assert client.get(response["Location"]).status_code == 200


def test_any_permalink_structure_is_kept(client, import_wxr, site_export, tmp_path):
    export = site_export.read_text().replace(
        "http://oldgazette.example.com/2012/05/02/mayor-wins-second-term/",
        "http://oldgazette.example.com/blog/politics/mayor-wins-second-term.html",
    )
    path = tmp_path / "export.xml"
    path.write_text(export)
    import_wxr(path)
    assert_moved(client.get("/blog/politics/mayor-wins-second-term.html"), article_of(10))
    assert_moved(client.get("/blog/politics/mayor-leads-count.html"), article_of(10))


def test_plain_permalink_query_redirects_from_the_home_page(client, imported):
    assert_moved(client.get("/?p=11"), article_of(11))
    assert_moved(client.get("/?page_id=11"), article_of(11))


def test_attachment_page_redirects_to_its_article(client, imported):
    assert_moved(client.get("/?attachment_id=50"), article_of(10))


def test_unpublished_and_scheduled_posts_are_not_revealed(client, imported):
    assert client.get("/?p=13").status_code == 200  # a draft: the home page, no redirect
    assert client.get("/?p=12").status_code == 200  # scheduled for 2099
    assert client.get("/?p=99999").status_code == 200
    assert client.get("/?p=not-a-number").status_code == 200


def test_unknown_old_address_is_still_a_404(client, imported):
    assert client.get("/2012/05/02/never-existed/").status_code == 404


def test_normal_pages_never_read_the_redirect_tables(client, imported):
    article = article_of(10)
    for url in (article.get_absolute_url(), "/", "/?page=1", article.section.get_absolute_url()):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        assert not [q for q in context.captured_queries if "wordpress_" in q["sql"]], url


def test_wordpress_search_address_leads_to_our_search(client):
    response = client.get("/?s=city+hall budget")
    assert response.status_code == 301
    assert response["Location"] == "/search/?q=city+hall+budget"
    assert client.get(response["Location"]).status_code == 200


def test_wordpress_pretty_search_address_leads_to_our_search(client):
    response = client.get("/search/caf%C3%A9+budget/")
    assert response.status_code == 301
    assert response["Location"] == "/search/?q=caf%C3%A9+budget"


def test_search_words_are_escaped_in_the_new_address(client):
    response = client.get("/", {"s": '"><script>&q=x'})
    assert response.status_code == 301
    assert response["Location"] == "/search/?q=%22%3E%3Cscript%3E%26q%3Dx"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/feed/", "/rss/"),
        ("/feed", "/rss/"),
        ("/feed/rss2/", "/rss/"),
        ("/feed/atom/", "/atom/"),
        ("/?feed=rss2", "/rss/"),
        ("/?feed=atom", "/atom/"),
    ],
)
def test_wordpress_site_feed_addresses_lead_to_our_feeds(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert client.get(new).status_code == 200


def test_unknown_feed_type_is_left_alone(client):
    assert client.get("/feed/nonsense/").status_code == 404
    assert client.get("/?feed=nonsense").status_code == 200  # the home page, as for any unknown query


def test_category_feed_and_archive_lead_to_the_imported_section(client, imported):
    section = article_of(10).section
    response = client.get("/category/news/politics/feed/")
    assert response.status_code == 301
    assert response["Location"] == f"/section/{section.slug}/rss/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/category/news/politics/feed/atom/")["Location"] == f"/section/{section.slug}/atom/"
    assert client.get("/category/news/politics/")["Location"] == section.get_absolute_url()


def test_author_feed_leads_to_the_imported_author(client, imported):
    author = article_of(10).byline_authors[0]
    response = client.get("/author/jsmith/feed/")
    assert response.status_code == 301
    assert response["Location"] == f"/author/{author.slug}/rss/"


def test_feed_of_an_unknown_category_is_still_a_404(client, imported):
    assert client.get("/category/no-such-thing/feed/").status_code == 404
