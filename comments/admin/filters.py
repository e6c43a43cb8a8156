"""The comment list's own filters: the queues, one article, one sender, and "find more like these"."""

import ipaddress

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import connections
from django.db.models import F
from django.utils.text import Truncator

from articles.models import Article
from comments import moderation
from comments.admin.paging import COUNT_CAP
from comments.admin.queues import DEFAULT_QUEUE, QUEUE_PARAM, QUEUES, Status, queue_counts, queue_total, request_counts
from comments.models import Comment


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = QUEUE_PARAM

    def lookups(self, request, model_admin):
        return [(key, f"{label} ({count:,})") for key, label, count in queue_counts(request_counts(request))]

    def value(self):
        return self.used_parameters.get(self.parameter_name) or DEFAULT_QUEUE

    def choices(self, changelist):
        # No "All" entry of Django's own: "All" is a queue like the others, and the default is "Needs a human".
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        statuses = {key: statuses for key, _, statuses in QUEUES}
        if self.value() not in statuses:
            raise IncorrectLookupParameters(f"Unknown queue {self.value()!r}")
        chosen = statuses[self.value()]
        return queryset if chosen is None else queryset.filter(status__in=chosen)


# The largest id a database column holds (a signed 64-bit integer); past it a query fails instead of matching nothing.
MAX_ID = 2**63 - 1


def _int_param(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise IncorrectLookupParameters(f"Not an id: {str(value)[:40]!r}") from None
    if not 0 < number <= MAX_ID:
        raise IncorrectLookupParameters(f"Not an id: {str(value)[:40]!r}")
    return number


def busiest_articles(limit: int) -> list[tuple[int, str, int]]:
    """(id, headline, comments waiting) of the articles with most held comments (pending or flagged), counted among
    at most COUNT_CAP of them: when Akismet is down a million can be waiting, and then the counts are lower bounds.
    The sample is grouped as it is read off the queue index; matching it back by id would scan the table."""
    held = Comment.objects.filter(status__in=[Status.PENDING, Status.FLAGGED]).order_by()
    sample, params = held.values(held_article=F("article_id"))[:COUNT_CAP].query.sql_with_params()
    connection = connections[held.db]
    quote = connection.ops.quote_name
    article, headline = quote(Article._meta.pk.column), quote(Article._meta.get_field("headline").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT held.held_article, article.{headline}, COUNT(held.held_article) FROM ({sample}) AS held "  # noqa: S608
            f"JOIN {quote(Article._meta.db_table)} AS article ON article.{article} = held.held_article "
            f"GROUP BY held.held_article, article.{headline} ORDER BY 3 DESC, 1 LIMIT %s",
            [*params, limit],
        )
        return cursor.fetchall()


class ArticleFilter(admin.SimpleListFilter):
    """The articles with most comments waiting for a human, plus the one being looked at."""

    title = "article"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        busiest = busiest_articles(10)
        more = "+" if queue_total("review", request_counts(request)) > COUNT_CAP else ""
        choices = [(str(pk), f"{Truncator(headline).chars(60)} ({n:,}{more} waiting)") for pk, headline, n in busiest]
        chosen = self.value()
        if chosen and chosen not in {key for key, _ in choices}:
            headline = Article.objects.filter(pk=_int_param(chosen)).values_list("headline", flat=True).first()
            choices.insert(0, (chosen, Truncator(headline or f"Article {chosen}").chars(60)))
        return choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(article_id=_int_param(self.value()))
        return queryset


class SenderFilter(admin.SimpleListFilter):
    """Everything from one email address or IP address (the links on a comment's "author's record")."""

    title = "sender"
    parameter_name = "sender"

    def lookups(self, request, model_admin):
        return [(self.value(), self.value())] if self.value() else []

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        kind, _, value = self.value().partition(":")
        if kind == "email" and value:
            return queryset.filter(author_email__iexact=value)
        if kind == "ip":
            try:
                return queryset.filter(ip_address=str(ipaddress.ip_address(value)))
            except ValueError:
                pass
        raise IncorrectLookupParameters(f"Not a sender: {self.value()!r}")


class SimilarFilter(admin.SimpleListFilter):
    """ "Find more like these": comments sharing a link domain or near-duplicate text with the chosen ones."""

    title = "like these"
    parameter_name = "like"

    def source_ids(self) -> list[int]:
        return [_int_param(part) for part in (self.value() or "").split(",") if part.strip()]

    def lookups(self, request, model_admin):
        if not self.value():
            return []
        return [(self.value(), f"Like the {len(self.source_ids()):,} chosen")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        ids = self.source_ids()
        if not ids or len(ids) > moderation.SIMILAR_SOURCES_MAX:
            raise IncorrectLookupParameters("Choose between 1 and 100 comments to compare with.")
        return queryset.filter(pk__in=moderation.similar_comments(ids).values("pk"))
