"""RSS and Atom for the whole site, each section and each author; every byline is credited in each item."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.text import Truncator

from articles.models import Article, Author, Section
from articles.seo import absolute_url, site_domain

FEED_LENGTH = 20
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


class BylinesRssFeed(Rss201rev2Feed):
    """RSS 2.0 with one <dc:creator> per byline (RSS's own <author> wants a single email address)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _link in item["bylines"]:
            handler.addQuickElement("dc:creator", name)


class BylinesAtomFeed(Atom1Feed):
    """Atom with one <author> per byline, each linking to the author's page."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in item["bylines"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")


class LatestArticlesFeed(Feed):
    feed_type = BylinesRssFeed

    def author_name(self, obj=None):
        # Atom wants an author for the feed when an entry has none (a story without a byline).
        return settings.SITE_NAME

    def title(self, obj=None):
        return settings.SITE_NAME

    def description(self, obj=None):
        return f"The latest from {settings.SITE_NAME}."

    def subtitle(self, obj=None):
        return self.description(obj)

    def link(self, obj=None):
        return absolute_url(reverse("articles:home"))

    def items(self, obj=None):
        return self.articles(obj).with_bylines().prefetch_related("tags")[:FEED_LENGTH]

    def articles(self, obj):
        return Article.objects.published()

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return item.dek or Truncator(strip_tags(item.body_html)).words(60)

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        # Stable across slug and date changes, so a reader's feed app does not show a moved story twice.
        return f"tag:{site_domain()},{item.created_at:%Y-%m-%d}:article-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.section.name, *(tag.name for tag in item.tags.all())]

    def item_extra_kwargs(self, item):
        return {"bylines": [(author.name, absolute_url(author.get_absolute_url())) for author in item.byline_authors]}


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = BylinesAtomFeed


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def title(self, obj=None):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj=None):
        return obj.description or f"The latest in {obj.name} from {settings.SITE_NAME}."

    def link(self, obj=None):
        return absolute_url(obj.get_absolute_url())

    def articles(self, obj):
        return Article.objects.published().filter(section=obj)


class SectionAtomFeed(SectionFeed):
    feed_type = BylinesAtomFeed


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def title(self, obj=None):
        return f"{settings.SITE_NAME}: {obj.name}"

    def description(self, obj=None):
        return f"Articles by {obj.name} in {settings.SITE_NAME}."

    def link(self, obj=None):
        return absolute_url(obj.get_absolute_url())

    def articles(self, obj):
        return Article.objects.published().filter(bylines__author=obj)


class AuthorAtomFeed(AuthorFeed):
    feed_type = BylinesAtomFeed
