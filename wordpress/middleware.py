"""Old WordPress addresses answer 301 with the imported article's address, or with our page for the same thing.

Normal pages pay nothing: the tables are read only for a response that is already a 404, or for a home-page
request carrying one of WordPress's query-string addresses (`/?p=ID`, `/?page_id=ID`, `/?attachment_id=ID`).
WordPress's search (`/?s=words`, `/search/words/`) and feed addresses (`/feed/`, `/?feed=rss2`,
`/category/<slug>/feed/`, `/author/<login>/feed/`) that readers and feed readers still use lead to ours.
"""

import re
from urllib.parse import unquote, urlencode

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse

from articles.models import Article, Author, Section
from wordpress.models import LegacyPath, WordPressObject

QUERY_KINDS = {
    "p": WordPressObject.Kind.POST,
    "page_id": WordPressObject.Kind.POST,
    "attachment_id": WordPressObject.Kind.ATTACHMENT,
}
# WordPress's feed types (`/feed/<type>/`, `/?feed=<type>`): Atom is Atom, every other flavour is our RSS.
ATOM = "atom"
FEED_TYPES = {"", "feed", "rss", "rss2", "rdf", ATOM}
SITE_FEED = re.compile(r"^/feed(?:/(?P<type>[a-z0-9]+))?/?$")
# /category/<slug>/feed/ and /author/<login>/feed/, optionally with a type; nested categories keep the last slug.
ARCHIVE_FEED = re.compile(r"^/(?P<kind>category|author)/(?:[^/]+/)*?(?P<slug>[^/]+)/feed(?:/(?P<type>[a-z0-9]+))?/?$")
CATEGORY_PAGE = re.compile(r"^/category/(?:[^/]+/)*?(?P<slug>[^/]+)/?$")
SEARCH_PAGE = re.compile(r"^/search/(?P<words>[^/]+)/?$")


class LegacyRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and request.method in ("GET", "HEAD") and request.GET:
            location = self._home_query(request.GET)
            if location is not None:
                return HttpResponsePermanentRedirect(location)
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            location = self._by_path(request.path)
            if location is not None:
                return HttpResponsePermanentRedirect(location)
        return response

    @classmethod
    def _home_query(cls, query) -> str | None:
        if "s" in query:
            return _search_url(query.get("s", ""))
        if "feed" in query:
            feed = query.get("feed", "")
            return _feed_url(feed) if feed in FEED_TYPES else None
        article = cls._by_query(query)
        return article.get_absolute_url() if article is not None else None

    @staticmethod
    def _by_query(query) -> Article | None:
        for name, kind in QUERY_KINDS.items():
            value = query.get(name, "")
            if value.isdigit() and len(value) < 19:
                ids = WordPressObject.objects.filter(kind=kind, wp_id=int(value), object_id__isnull=False)
                return Article.objects.published().filter(pk__in=ids.values("object_id")).first()
        return None

    @classmethod
    def _by_path(cls, path: str) -> str | None:
        candidates = {path, unquote(path)}
        candidates |= {p.rstrip("/") if p.endswith("/") else p + "/" for p in list(candidates)}
        ids = LegacyPath.objects.filter(path__in=candidates).values("article_id")
        article = Article.objects.published().filter(pk__in=ids).first()
        if article is not None:
            return article.get_absolute_url()
        return cls._wordpress_page(unquote(path))

    @staticmethod
    def _wordpress_page(path: str) -> str | None:
        """Our address for one of WordPress's own pages: its feeds, its category archives, its search."""
        if match := SITE_FEED.match(path):
            feed = match["type"] or ""
            return _feed_url(feed) if feed in FEED_TYPES else None
        if match := ARCHIVE_FEED.match(path):
            if (match["type"] or "") not in FEED_TYPES:
                return None
            kind = "section" if match["kind"] == "category" else "author"
            model = Section if kind == "section" else Author
            obj = _imported(
                model,
                WordPressObject.Kind.CATEGORY if kind == "section" else WordPressObject.Kind.AUTHOR,
                match["slug"],
            )
            if obj is None:
                return None
            return reverse(f"articles:{kind}-{ATOM if match['type'] == ATOM else 'rss'}", args=[obj.slug])
        if match := CATEGORY_PAGE.match(path):
            section = _imported(Section, WordPressObject.Kind.CATEGORY, match["slug"])
            return section.get_absolute_url() if section is not None else None
        if match := SEARCH_PAGE.match(path):
            # WordPress's pretty search address writes spaces as "+".
            return _search_url(match["words"].replace("+", " "))
        return None


def _search_url(words: str) -> str:
    return f"{reverse('articles:search')}?{urlencode({'q': words[:500]})}"


def _feed_url(feed: str) -> str:
    return reverse("articles:atom" if feed == ATOM else "articles:rss")


def _imported(model, kind: str, key: str):
    """The section or author a WordPress category slug or author login became, else one with that slug."""
    ids = WordPressObject.objects.filter(kind=kind, key=key[:200], object_id__isnull=False).values("object_id")
    return model.objects.filter(pk__in=ids).first() or model.objects.filter(slug=key[:150]).first()
