import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from articles.models import Article, Byline
from articles.templatetags.article_tags import dateline

pytestmark = pytest.mark.django_db

HIDDEN = [
    {"status": Article.Status.DRAFT},
    {"status": Article.Status.REVIEW},
    {"status": Article.Status.UNPUBLISHED, "published_at": timezone.now() - timedelta(days=1)},
    {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + timedelta(hours=1)},
]


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("state", HIDDEN, ids=["draft", "review", "unpublished", "scheduled"])
def test_unpublished_work_answers_404_everywhere(client, make_article, make_author, make_section, make_tag, state):
    author, section, tag = make_author(), make_section(), make_tag()
    hidden = make_article(authors=[author], section=section, headline="Not for readers yet", **state)
    hidden.tags.add(tag)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    for url in ["/", section.get_absolute_url(), tag.get_absolute_url(), author.get_absolute_url()]:
        assert "Not for readers yet" not in page(client, url)


def test_home_lists_latest_published_first_and_paginates(client, make_article):
    now = timezone.now()
    articles = [make_article(published_at=now - timedelta(hours=hours)) for hours in range(1, 24)]
    first_page = page(client, "/")
    assert first_page.index(articles[0].headline) < first_page.index(articles[1].headline)
    assert articles[-1].headline not in first_page
    assert articles[-1].headline in page(client, "/?page=2")
    assert client.get("/?page=99").status_code == 404
    assert client.get("/?page=abc").status_code == 404


def test_home_query_count_does_not_grow_with_articles(client, make_article, make_author, django_assert_max_num_queries):
    for _ in range(20):
        make_article(authors=[make_author(), make_author()])
    # count, page, bylines (one prefetch for all), navigation sections
    with django_assert_max_num_queries(4):
        client.get("/")


def test_scheduled_article_goes_live_on_time_without_a_job(client, make_article, make_section, monkeypatch):
    section = make_section()
    go_live = timezone.now() + timedelta(hours=2)
    article = make_article(section=section, published_at=go_live, headline="Embargoed story")
    assert client.get(article.get_absolute_url()).status_code == 404
    assert not Article.objects.published().filter(pk=article.pk).exists()

    later = go_live + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(article.get_absolute_url()).status_code == 200
    assert "Embargoed story" in page(client, "/")
    assert "Embargoed story" in page(client, section.get_absolute_url())
    assert "Embargoed story" in page(client, "/rss/")
    assert article.get_absolute_url() in page(client, "/sitemap.xml")


def test_article_url_needs_the_right_date(client, article):
    assert client.get(article.get_absolute_url()).status_code == 200
    day_before = timezone.localtime(article.published_at) - timedelta(days=1)
    assert client.get(f"/{day_before:%Y/%m/%d}/{article.slug}/").status_code == 404
    assert client.get(f"/2024/02/30/{article.slug}/").status_code == 404
    assert client.get(f"/2024/13/01/{article.slug}/").status_code == 404


def test_url_date_is_the_local_publication_date(client, make_article):
    # 02:30 UTC on May 3rd is 10:30 PM on May 2nd in New York.
    article = make_article(published_at=datetime(2012, 5, 3, 2, 30, tzinfo=UTC), slug="late-night-vote")
    assert article.get_absolute_url() == "/2012/05/02/late-night-vote/"
    assert client.get("/2012/05/02/late-night-vote/").status_code == 200


def test_article_page_anatomy(client, make_article, make_author):
    authors = [make_author("Ann Able"), make_author("Ben Baker")]
    article = make_article(
        authors=authors,
        headline="Harbor ferry returns",
        dek="Twelve trips a day.",
        lead_image="lead/ferry.jpg",
        lead_image_caption="The ferry at dawn.",
        lead_image_credit="Jo Lens",
        lead_image_alt="A white ferry at a pier",
        published_at=datetime(2012, 5, 2, 21, 47, tzinfo=UTC),
    )
    html = page(client, article.get_absolute_url())
    assert '<h1 class="headline">Harbor ferry returns</h1>' in html
    assert 'alt="A white ferry at a pier"' in html
    assert "The ferry at dawn." in html and "Jo Lens" in html
    assert "May 2nd, 2012 05:47 PM ET" in html
    assert re.search(
        r'By <a href="/author/[\w-]+/" rel="author">Ann Able</a> and <a href="[^"]+" rel="author">Ben Baker', html
    )
    assert 'id="comments"' in html
    # the parts come in reading order
    order = ["Harbor ferry returns", "The ferry at dawn.", "May 2nd, 2012", "Ann Able", "Story text.", 'id="comments"']
    positions = [html.index(marker, html.index("<main")) for marker in order]
    assert positions == sorted(positions)


def test_updated_line_only_when_changed_after_publication(client, make_article):
    published_at = timezone.now() - timedelta(days=1)
    fresh = make_article(published_at=published_at)
    Article.objects.filter(pk=fresh.pk).update(updated_at=published_at + timedelta(minutes=2))
    assert "Updated" not in page(client, fresh.get_absolute_url())
    changed = make_article(published_at=published_at)
    Article.objects.filter(pk=changed.pk).update(updated_at=published_at + timedelta(hours=3))
    html = page(client, changed.get_absolute_url())
    assert f'Updated <time datetime="{timezone.localtime(published_at + timedelta(hours=3)).isoformat()}"' in html


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2012, 5, 2, 21, 47, tzinfo=UTC), "May 2nd, 2012 05:47 PM ET"),  # daylight time
        (datetime(2012, 1, 21, 14, 5, tzinfo=UTC), "January 21st, 2012 09:05 AM ET"),  # standard time
        (datetime(2012, 3, 3, 5, 0, tzinfo=UTC), "March 3rd, 2012 12:00 AM ET"),
        (datetime(2012, 12, 11, 23, 59, tzinfo=UTC), "December 11th, 2012 06:59 PM ET"),
    ],
)
def test_dateline_format(moment, expected):
    assert dateline(moment) == expected


def test_dateline_follows_the_configured_zone():
    moment = datetime(2012, 5, 2, 21, 47, tzinfo=UTC)
    with override_settings(TIME_ZONE="America/Los_Angeles"), timezone.override("America/Los_Angeles"):
        assert dateline(moment) == "May 2nd, 2012 02:47 PM PT"
    with override_settings(TIME_ZONE="Asia/Shanghai"), timezone.override("Asia/Shanghai"):
        assert dateline(moment) == "May 3rd, 2012 05:47 AM CST"


def test_bylines_come_out_in_the_editors_order(client, make_article, make_author):
    first, second, third = make_author("Cleo Third"), make_author("Abe First"), make_author("Bea Second")
    article = make_article(authors=[])
    # inserted out of order on purpose: position, not id or name, decides
    Byline.objects.create(article=article, author=first, position=2)
    Byline.objects.create(article=article, author=second, position=0)
    Byline.objects.create(article=article, author=third, position=1)
    article.refresh_from_db()
    assert article.byline_text == "Abe First, Bea Second and Cleo Third"
    html = page(client, article.get_absolute_url())
    assert html.index("Abe First") < html.index("Bea Second") < html.index("Cleo Third")
    Byline.objects.filter(author=first).update(position=0)
    Byline.objects.filter(author=second).update(position=5)
    assert Article.objects.with_bylines().get(pk=article.pk).byline_text == "Cleo Third, Bea Second and Abe First"


def test_json_ld_describes_the_article_and_cannot_be_broken_out_of(client, make_article, make_author):
    authors = [make_author("Ann Able"), make_author("Ben Baker")]
    hostile = "Vote </script><script>alert(1)</script> & more"
    article = make_article(authors=authors, headline=hostile, dek="A short dek")
    html = page(client, article.get_absolute_url())
    assert "<script>alert(1)" not in html
    blocks = re.findall(r'<script type="application/ld\+json" nonce="[^"]+">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == hostile
    assert [person["name"] for person in data["author"]] == ["Ann Able", "Ben Baker"]
    assert data["url"].endswith(article.get_absolute_url())
    assert data["datePublished"] == timezone.localtime(article.published_at).isoformat()


def test_open_graph_tags(client, make_article, settings):
    settings.SITE_URL = "https://news.example.org"
    article = make_article(headline="Tide record", dek="A few inches short.", lead_image="lead/tide.jpg")
    html = page(client, article.get_absolute_url())
    url = f"https://news.example.org{article.get_absolute_url()}"
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Tide record">' in html
    assert '<meta property="og:description" content="A few inches short.">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:image" content="https://news.example.org/media/lead/tide.jpg">' in html
    assert f'<link rel="canonical" href="{url}">' in html


def test_section_tag_and_author_pages(client, make_article, make_author, make_section, make_tag):
    author = make_author("Priya Raman", title="Pentagon producer", bio="Covers defense.\nFrom Washington.")
    section, tag = make_section("World"), make_tag("Defense")
    mine = make_article(authors=[make_author(), author], section=section, headline="Shared byline story")
    mine.tags.add(tag)
    other = make_article(headline="Somebody else's story")
    author_page = page(client, author.get_absolute_url())
    assert "Pentagon producer" in author_page and "Covers defense.<br>From Washington." in author_page
    assert "Shared byline story" in author_page and other.headline not in author_page
    section_page = page(client, section.get_absolute_url())
    assert "Shared byline story" in section_page and other.headline not in section_page
    tag_page = page(client, tag.get_absolute_url())
    assert "Shared byline story" in tag_page and other.headline not in tag_page
    for missing in ["/section/nope/", "/tag/nope/", "/author/nope/"]:
        assert client.get(missing).status_code == 404


def article_block(response) -> str:
    return re.search(r'<article class="article">.*</article>', response.content.decode(), re.S).group(0)


def test_staff_preview_is_the_page_readers_will_see(client, client_for, editor, make_article, monkeypatch):
    go_live = timezone.now() + timedelta(hours=1)
    article = make_article(headline="Embargoed", body="<p>The body.</p>", published_at=go_live)
    preview_url = f"/admin/articles/article/{article.pk}/preview/"
    editor_client = client_for(editor)
    preview = editor_client.get(preview_url)
    assert preview.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in preview["Cache-Control"].split(",")}
    assert "Readers cannot see this page" in preview.content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404

    monkeypatch.setattr(timezone, "now", lambda: go_live + timedelta(minutes=1))
    public = client.get(article.get_absolute_url())
    assert public.status_code == 200
    assert article_block(editor_client.get(preview_url)) == article_block(public)
