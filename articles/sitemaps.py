from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article, Author, Section
from articles.seo import site_domain, site_protocol


class SiteSitemap(Sitemap):
    """Locations on the site's public address (SITE_URL when set, see articles.seo)."""

    def get_protocol(self, protocol=None):
        return site_protocol()

    def get_domain(self, site=None):
        return site_domain()


class ArticleSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "published_at", "created_at", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item):
        return item.updated_at


class SectionSitemap(SiteSitemap):
    changefreq = "hourly"

    def items(self):
        return Section.objects.all()


class AuthorSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        # Only authors with something published: an empty author page is no use to a search engine.
        return Author.objects.filter(bylines__article__in=Article.objects.published()).distinct().order_by("name")


class HomeSitemap(SiteSitemap):
    changefreq = "hourly"
    priority = 1.0

    def items(self):
        return ["articles:home"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"home": HomeSitemap, "articles": ArticleSitemap, "sections": SectionSitemap, "authors": AuthorSitemap}
