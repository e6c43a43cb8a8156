"""What search engines and social cards read: absolute links on the site's own address, and JSON-LD.

The address is SITE_URL when it is set (production, where a deploy check requires it). Without it, on a laptop,
links follow the address the request came to (`make run HOST=127.0.0.1:8111` gives links to :8111):
`SiteAddressMiddleware` notes that address for the length of each request.
"""

from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.utils import timezone

from articles.models import Article

# Used only when neither SITE_URL nor a request is there to say (a management command on a laptop).
FALLBACK_SITE_URL = "http://127.0.0.1:8000"

_request_site_url: ContextVar[str | None] = ContextVar("request_site_url", default=None)


class SiteAddressMiddleware:
    """Remembers the scheme and host of the current request, for links built without SITE_URL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_site_url.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_site_url.reset(token)


def site_url() -> str:
    """The site's public address, without a trailing slash."""
    return settings.SITE_URL or _request_site_url.get() or FALLBACK_SITE_URL


def absolute_url(url: str) -> str:
    """Links that leave the page (feeds, sitemaps, cards) point at the site's public address."""
    if url.startswith(("http://", "https://")):
        return url
    return f"{site_url()}{url if url.startswith('/') else '/' + url}"


def site_domain() -> str:
    return urlsplit(site_url()).netloc


def site_protocol() -> str:
    return urlsplit(site_url()).scheme or "https"


@checks.register(checks.Tags.urls, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """In production links must not depend on the Host header a request happened to carry."""
    if settings.DEBUG or settings.SITE_URL.startswith(("http://", "https://")):
        return []
    return [
        checks.Warning(
            f"SITE_URL is {settings.SITE_URL or 'not set'}{'' if not settings.SITE_URL else ' (not a full URL)'}: "
            "canonical links, feeds and the sitemap would follow whatever Host a request carries.",
            hint="Set SITE_URL to the public address, e.g. https://news.example.org.",
            id="articles.W002",
        )
    ]


def news_article_ld(article: Article) -> dict:
    """schema.org NewsArticle for one article page."""
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline,
        "description": article.dek,
        "datePublished": timezone.localtime(article.published_at).isoformat() if article.published_at else None,
        "dateModified": timezone.localtime(article.updated_at).isoformat(),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute_url(author.get_absolute_url())}
            for author in article.byline_authors
        ],
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": site_url()},
    }
    if article.lead_image:
        data["image"] = [absolute_url(article.lead_image.url)]
    return {key: value for key, value in data.items() if value not in (None, "", [])}
