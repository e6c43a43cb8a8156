from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles.models import Article

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return ElementTree.fromstring(response.content)  # noqa: S314 (our own feed, in a test)


def rss_items(client, url) -> dict[str, list[str]]:
    """headline -> the dc:creator names, in order."""
    return {
        item.findtext("title"): [creator.text for creator in item.findall(DC_CREATOR)]
        for item in xml(client, url).iter("item")
    }


def atom_entries(client, url) -> dict[str, list[str]]:
    return {
        entry.findtext(f"{ATOM}title"): [author.findtext(f"{ATOM}name") for author in entry.findall(f"{ATOM}author")]
        for entry in xml(client, url).iter(f"{ATOM}entry")
    }


@pytest.fixture
def newsroom(make_article, make_author, make_section):
    ann, ben, cat = make_author("Ann Able"), make_author("Ben Baker"), make_author("Cat Cole")
    politics, world = make_section("Politics"), make_section("World")
    return {
        "authors": (ann, ben, cat),
        "sections": (politics, world),
        "shared": make_article(headline="Three bylines", authors=[cat, ann, ben], section=politics),
        "solo": make_article(headline="Solo story", authors=[ben], section=world),
        "draft": make_article(headline="Draft story", authors=[ann], section=politics, status=Article.Status.DRAFT),
        "scheduled": make_article(
            headline="Scheduled story", authors=[ann], section=politics, published_at=timezone.now() + timedelta(days=1)
        ),
    }


def test_site_rss_credits_every_byline_in_order(client, newsroom):
    items = rss_items(client, "/rss/")
    assert items == {"Three bylines": ["Cat Cole", "Ann Able", "Ben Baker"], "Solo story": ["Ben Baker"]}


def test_site_atom_credits_every_byline_in_order(client, newsroom):
    entries = atom_entries(client, "/atom/")
    assert entries == {"Three bylines": ["Cat Cole", "Ann Able", "Ben Baker"], "Solo story": ["Ben Baker"]}


def guids(client) -> dict[str, str]:
    return {item.findtext("title"): item.findtext("guid") for item in xml(client, "/rss/").iter("item")}


def test_feed_links_are_absolute_and_guids_survive_a_slug_change(client, newsroom, settings):
    settings.SITE_URL = "https://news.example.org"
    links = [item.findtext("link") for item in xml(client, "/rss/").iter("item")]
    assert links and all(link.startswith("https://news.example.org/") for link in links)
    before = guids(client)
    shared = newsroom["shared"]
    shared.slug = "renamed"
    shared.save()
    assert guids(client) == before


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_section_feeds_hold_only_their_section(client, newsroom, kind):
    politics, world = newsroom["sections"]
    read = rss_items if kind == "rss" else atom_entries
    assert list(read(client, f"/section/{politics.slug}/{kind}/")) == ["Three bylines"]
    assert list(read(client, f"/section/{world.slug}/{kind}/")) == ["Solo story"]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_author_feeds_include_shared_bylines(client, newsroom, kind):
    ann, ben, cat = newsroom["authors"]
    read = rss_items if kind == "rss" else atom_entries
    assert set(read(client, f"/author/{ben.slug}/{kind}/")) == {"Three bylines", "Solo story"}
    assert set(read(client, f"/author/{ann.slug}/{kind}/")) == {"Three bylines"}


def test_unknown_feed_owner_is_a_404(client, db):
    assert client.get("/section/nope/rss/").status_code == 404
    assert client.get("/author/nope/atom/").status_code == 404


def test_sitemap_lists_live_articles_sections_and_authors(client, newsroom, settings):
    settings.SITE_URL = "https://news.example.org"
    locations = {loc.text for loc in xml(client, "/sitemap.xml").iter(f"{SITEMAP}loc")}
    base = "https://news.example.org"
    assert f"{base}{newsroom['shared'].get_absolute_url()}" in locations
    assert f"{base}{newsroom['solo'].get_absolute_url()}" in locations
    assert f"{base}{newsroom['draft'].get_absolute_url()}" not in locations
    assert f"{base}{newsroom['scheduled'].get_absolute_url()}" not in locations
    assert {f"{base}{section.get_absolute_url()}" for section in newsroom["sections"]} <= locations
    assert {f"{base}{author.get_absolute_url()}" for author in newsroom["authors"]} <= locations
    assert f"{base}/" in locations


def test_sitemap_leaves_out_authors_with_nothing_published(client, newsroom, make_author, make_article):
    quiet = make_author("Quiet Quill")
    make_article(authors=[quiet], status=Article.Status.DRAFT)
    assert quiet.get_absolute_url() not in client.get("/sitemap.xml").content.decode()
