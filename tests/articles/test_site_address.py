"""Without SITE_URL (a laptop) every absolute link follows the address the site is served on."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db

HOST = "127.0.0.1:8111"
BASE = f"http://{HOST}"


@pytest.fixture
def unset_site_url(settings):
    settings.SITE_URL = ""


def test_article_page_links_follow_the_served_address(client, make_article, unset_site_url):
    article = make_article(lead_image="lead/tide.jpg")
    html = client.get(article.get_absolute_url(), HTTP_HOST=HOST).content.decode()
    url = f"{BASE}{article.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert f'<meta property="og:image" content="{BASE}/media/lead/tide.jpg">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["url"] == url and data["publisher"]["url"] == BASE
    assert ":8000" not in html


def test_two_hosts_get_their_own_copy_of_a_cached_page(client, make_article, unset_site_url):
    article = make_article()
    client.get(article.get_absolute_url(), HTTP_HOST="localhost:8000")
    html = client.get(article.get_absolute_url(), HTTP_HOST=HOST).content.decode()
    assert f'href="{BASE}{article.get_absolute_url()}"' in html


@pytest.mark.parametrize("feed", ["/rss/", "/atom/"])
def test_feeds_link_to_the_served_address(client, make_article, unset_site_url, feed):
    article = make_article()
    body = client.get(feed, HTTP_HOST=HOST).content.decode()
    assert f"{BASE}{article.get_absolute_url()}" in body
    assert "127.0.0.1:8000" not in body


def test_sitemap_lists_the_served_address(client, make_article, unset_site_url):
    article = make_article()
    body = client.get("/sitemap.xml", HTTP_HOST=HOST).content.decode()
    assert f"<loc>{BASE}{article.get_absolute_url()}</loc>" in body
    assert "127.0.0.1:8000" not in body


def test_site_url_when_set_wins_over_the_request_host(client, make_article, settings):
    settings.SITE_URL = "https://news.example.org"
    article = make_article()
    html = client.get(article.get_absolute_url(), HTTP_HOST=HOST).content.decode()
    assert f'<link rel="canonical" href="https://news.example.org{article.get_absolute_url()}">' in html
    assert HOST not in html
