"""Paging and the date drill-down of the comment list, at a cost that does not grow with the table.

Django's paginator counts every matching row, and its date drill-down lists the distinct days, months or years of
every matching row: at a million comments either costs more than the page itself. A plain queue's total comes from
the queue counters instead; any other filter or search counts up to COUNT_CAP rows and says "10,000+" beyond. The
drill-down offers the calendar between the first and the last comment (two index look-ups); a day without
comments simply shows an empty list.
"""

import calendar
from datetime import date

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import F
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst

from comments.admin.queues import QUEUE_PARAM, current_queue, queue_total, request_counts
from comments.models import Comment

COUNT_CAP = 10_000
DEEP_PAGE = 1_000  # rows skipped from which a page is found by its ids first
# Parameters that do not change which comments the list shows: the queue's own counter is its exact total.
PLAIN_PARAMS = {QUEUE_PARAM, "p", "o", "all", "e", "_popup", "_to_field"}


class CountAtLeast(int):
    """A count that stopped at a cap: it prints as "10,000+" wherever the admin shows it."""

    def __str__(self):
        return f"{int(self):,}+"


class QueuePaginator(Paginator):
    def __init__(self, *args, known_count: int | None = None, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_count = known_count
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        # COUNT(*) over a LIMIT subquery: stops at the cap however many rows match.
        found = self.object_list.order_by()[: self.cap + 1].count()
        return CountAtLeast(self.cap) if found > self.cap else found

    def page(self, number):
        """A page of a filtered list. Up to COUNT_CAP matches are found through the filter's own indexes and ordered
        by the database, then the page's rows fetched by id: asked for the newest matches first, the planner would
        walk the newest-first index hoping to meet them soon, which for matches among the oldest comments is the
        whole table.
        """
        ordering = self.object_list.query.order_by
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.known_count is not None or isinstance(self.count, CountAtLeast) or not _sortable(ordering):
            if bottom < DEEP_PAGE:
                return super().page(number)
            # A deep page skips its offset over the ids alone (read off the queue's index), not over whole rows
            # joined with their articles, then fetches its hundred rows.
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
            return self._get_page(self.object_list.filter(pk__in=ids), number, self)
        ids = _ids_among_first(self.object_list, ordering, self.cap + 1, bottom, top)
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def _ids_among_first(queryset, ordering, limit: int, bottom: int, top: int) -> list[int]:
    """The ids from bottom to top in `ordering` of the first `limit` matches (taken in no order, so through the
    filter's own indexes), sorted by the database: a page's hundred ids cross the wire, not ten thousand rows."""
    keys = {f"key{i}": F(name.lstrip("-")) for i, name in enumerate(ordering)}
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    matches, params = queryset.order_by().values(**keys)[:limit].query.sql_with_params()
    order = ", ".join(
        f"{quote(key)} {'DESC' if name.startswith('-') else 'ASC'}" for key, name in zip(keys, ordering, strict=True)
    )
    pk = quote(f"key{[name.lstrip('-') for name in ordering].index('pk')}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk} FROM ({matches}) AS matches ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608
            [*params, top - bottom, bottom],
        )
        return [row[0] for row in cursor.fetchall()]


def _sortable(ordering) -> bool:
    """The list's own orderings (never NULL, ending with the primary key); a column a moderator sorts by is not."""
    return (
        bool(ordering)
        and ordering[-1] in ("pk", "-pk")
        and all(isinstance(name, str) and name.lstrip("-") in SORTABLE for name in ordering)
    )


SORTABLE = {"status", "submitted_at", "pk"}


def paginator_for(request, queryset, per_page, orphans=0, allow_empty_first_page=True) -> QueuePaginator:
    known = queue_total(current_queue(request), request_counts(request)) if set(request.GET) <= PLAIN_PARAMS else None
    return QueuePaginator(
        queryset, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page, known_count=known
    )


def submitted_range() -> tuple[date, date] | None:
    """The local dates of the first and the last comment: each one row read off the submitted_at index."""
    dates = Comment.objects.order_by("submitted_at", "id").values_list("submitted_at", flat=True)
    first, last = dates.first(), dates.last()
    if first is None or last is None:
        return None
    return timezone.localdate(first), timezone.localdate(last)


def date_hierarchy(cl) -> dict:
    """Context for Django's admin/date_hierarchy.html, the same links as Django's own drill-down."""
    field = cl.date_hierarchy
    names = {part: f"{field}__{part}" for part in ("year", "month", "day")}
    chosen = {part: cl.params.get(name) for part, name in names.items()}

    def link(filters):
        return cl.get_query_string(filters, [f"{field}__"])

    span = submitted_range()
    if span is None:
        return {"show": False}
    first, last = span
    try:
        year, month, day = (int(chosen[part]) if chosen[part] else None for part in ("year", "month", "day"))
    except ValueError:
        return {"show": False}
    if year is None and first.year == last.year:
        year = first.year
        month = first.month if month is None and first.month == last.month else month
    if year and month and day:
        chosen_day = date(year, month, day)
        return {
            "show": True,
            "back": {
                "link": link({names["year"]: year, names["month"]: month}),
                "title": capfirst(formats.date_format(chosen_day, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen_day, "MONTH_DAY_FORMAT"))}],
        }
    if year and month:
        days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
        return {
            "show": True,
            "back": {"link": link({names["year"]: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({names["year"]: year, names["month"]: month, names["day"]: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
                if first <= d <= last
            ],
        }
    if year:
        months = [date(year, m, 1) for m in range(1, 13)]
        return {
            "show": True,
            "back": {"link": link({}), "title": "All dates"},
            "choices": [
                {
                    "link": link({names["year"]: year, names["month"]: m.month}),
                    "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                }
                for m in months
                if (first.year, first.month) <= (m.year, m.month) <= (last.year, last.month)
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({names["year"]: y}), "title": str(y)} for y in range(first.year, last.year + 1)],
    }
