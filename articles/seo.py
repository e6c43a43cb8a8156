"""What search engines and social cards read: absolute links on the site's own address, and JSON-LD."""

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from articles.models import Article


def absolute_url(url: str) -> str:
    """Links that leave the page (feeds, sitemaps, cards) point at SITE_URL, whatever host served the request."""
    if url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url if url.startswith('/') else '/' + url}"


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).netloc


def site_protocol() -> str:
    return urlsplit(settings.SITE_URL).scheme or "https"


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
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME, "url": settings.SITE_URL},
    }
    if article.lead_image:
        data["image"] = [absolute_url(article.lead_image.url)]
    return {key: value for key, value in data.items() if value not in (None, "", [])}
