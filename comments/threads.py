"""What the comment section shows: one page of whole threads, in display order, in two queries.

Pages are counted in top-level threads, so a reply always lands on its thread's page. A page is read with one
COUNT of the article's shown threads and one SELECT of every comment in the page's threads (`thread_id IN` the
page's roots, ordered by thread and path, on the comment_page_idx index); neither grows with the comments on
other pages.

What a reader sees of a thread:
- published comments;
- their own comments still held (pending, flagged or spam), marked "awaiting moderation": the ids come from the
  poster's session, so nobody else sees them;
- a hidden comment (removed by a moderator, flagged, ...) only as a placeholder, and only while it has a shown
  reply below it, so the replies keep their place in the conversation.
"""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from articles.models import Article
from comments.models import PATH_STEP, Comment

# Statuses a top-level comment can be hidden in while its replies stay up. Spam is not among them: a spam wave
# of a hundred thousand top-level comments must not cost an EXISTS each on every page view.
PLACEHOLDER_ROOT_STATUSES = [Comment.Status.REMOVED, Comment.Status.FLAGGED]
HELD_STATUSES = {Comment.Status.PENDING, Comment.Status.FLAGGED, Comment.Status.SPAM}
# The columns the section renders; the rest (Akismet's stored payload above all) stays in the database.
SECTION_FIELDS = [
    "id", "article_id", "parent_id", "thread_id", "path", "depth",
    "author_name", "author_url", "body", "status", "submitted_at",
]  # fmt: skip


@dataclass(slots=True, eq=False)
class PageComment:
    """A comment as the section shows it: the columns of SECTION_FIELDS and what `_shape` works out for it.

    Read with `values_list` rather than as model instances, which cost several times as much to build.
    """

    id: int
    article_id: int
    parent_id: int | None
    thread_id: int
    path: str
    depth: int
    author_name: str
    author_url: str
    body: str
    status: str
    submitted_at: object
    display: str = ""
    can_reply: bool = False
    link: str = ""
    number: int | None = None

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class ThreadPage:
    number: int
    num_pages: int
    thread_count: int
    comments: list[PageComment] = field(default_factory=list)

    @property
    def page_range(self) -> range:
        return range(1, self.num_pages + 1)

    def elided_page_range(self, *, on_each_side: int = 2, on_ends: int = 1) -> list[int | None]:
        """Page numbers to link, with None where a run of them is left out (5,000 comments make 100 pages)."""
        shown = {
            n
            for n in self.page_range
            if n <= on_ends or n > self.num_pages - on_ends or abs(n - self.number) <= on_each_side
        }
        pages: list[int | None] = []
        for n in sorted(shown):
            if pages and n != pages[-1] + 1:
                pages.append(None)
            pages.append(n)
        return pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next_page_number(self) -> int | None:
        return self.number + 1 if self.number < self.num_pages else None


def shown_roots(article: Article, *, own_ids: frozenset[int] = frozenset()) -> QuerySet[Comment]:
    """The article's top-level comments that open a thread a reader sees."""
    shown_reply = Comment.objects.filter(article=article, thread_id=OuterRef("thread_id")).filter(
        Q(status=Comment.Status.PUBLISHED) | Q(pk__in=own_ids)
    )
    # The status list comes first so that the index skips everything else (a spam wave of 100,000 top-level
    # comments costs nothing here); the EXISTS runs only for the few hidden ones that may still have replies.
    condition = Q(status__in=[Comment.Status.PUBLISHED, *PLACEHOLDER_ROOT_STATUSES]) & (
        Q(status=Comment.Status.PUBLISHED) | Exists(shown_reply)
    )
    if own_ids:
        condition |= Q(pk__in=own_ids)
    return Comment.objects.filter(article=article).top_level().filter(condition)


def get_page(
    article: Article,
    page: int | str | None = 1,
    *,
    own_ids: frozenset[int] = frozenset(),
    per_page: int | None = None,
    newest_first: bool | None = None,
) -> ThreadPage:
    """One page of threads; a page number out of range (or not a number) gives the nearest real page."""
    per_page = per_page or settings.COMMENTS_PER_PAGE
    if newest_first is None:
        newest_first = settings.COMMENTS_NEWEST_FIRST
    roots = shown_roots(article, own_ids=own_ids)
    thread_count = roots.count()
    num_pages = max(1, math.ceil(thread_count / per_page))
    number = min(max(_to_int(page), 1), num_pages)
    result = ThreadPage(number=number, num_pages=num_pages, thread_count=thread_count)
    if not thread_count:
        return result

    offset = (number - 1) * per_page
    order = "-thread_id" if newest_first else "thread_id"
    # The page's thread ids are read first and the rows fetched by that list: nested as a subquery instead,
    # PostgreSQL with statistics stale after a bulk insert re-read the sorted roots once for every comment of
    # the article (seconds for a deep page of a 5,000-comment article; bench/explain_page.py).
    thread_ids = list(roots.order_by(order).values_list("thread_id", flat=True)[offset : offset + per_page])
    rows = [
        PageComment(*values)
        for values in Comment.objects.filter(article=article, thread_id__in=thread_ids)
        .in_display_order(newest_first=newest_first)
        .values_list(*SECTION_FIELDS)
    ]
    result.comments = _shape(rows, own_ids=own_ids, offset=offset, thread_count=thread_count, newest_first=newest_first)
    return result


def page_number_of(comment: Comment, *, own_ids: frozenset[int] = frozenset()) -> int:
    """The page of the article's comments that shows this comment's thread."""
    ahead = {"thread_id__gt" if settings.COMMENTS_NEWEST_FIRST else "thread_id__lt": comment.thread_id}
    per_page = settings.COMMENTS_PER_PAGE
    # Fewer than a page of top-level comments of any status ahead of it: page 1, however many of them show. The
    # usual answer after posting (a new thread, or a reply in a recent one), from a query far cheaper to build.
    if Comment.objects.filter(article_id=comment.article_id).top_level().filter(**ahead)[:per_page].count() < per_page:
        return 1
    before = shown_roots(comment.article, own_ids=own_ids).filter(**ahead).count()
    return before // per_page + 1


def comment_url(comment: Comment, *, own_ids: frozenset[int] = frozenset()) -> str:
    """The comment's anchor on the right page of its article."""
    number = page_number_of(comment, own_ids=own_ids)
    query = f"?page={number}" if number > 1 else ""
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"


def is_shown_to(comment: Comment, own_ids: frozenset[int]) -> bool:
    return comment.status == Comment.Status.PUBLISHED or (comment.pk in own_ids and comment.status in HELD_STATUSES)


def _shape(rows, *, own_ids, offset, thread_count, newest_first) -> list[PageComment]:
    """Drop what this reader must not see, mark placeholders, and number the threads.

    Threads are numbered in the order they were started, so a thread keeps its number when newer ones arrive.
    """
    shown = [row for row in rows if is_shown_to(row, own_ids)]
    # Every ancestor of a shown comment stays, as a placeholder if it is hidden itself.
    needed = set()
    for row in shown:
        needed.update(int(row.path[i : i + PATH_STEP]) for i in range(0, len(row.path) - PATH_STEP, PATH_STEP))
    max_depth = settings.COMMENTS_MAX_DEPTH
    comments = []
    position = offset
    for row in rows:
        if row.status == Comment.Status.PUBLISHED:
            row.display = "published"
        elif row.pk in own_ids and row.status in HELD_STATUSES:
            row.display = "held"
        elif row.pk in needed:
            row.display = "removed" if row.status in (Comment.Status.REMOVED, Comment.Status.SPAM) else "hidden"
        else:
            continue
        row.can_reply = row.display == "published" and row.depth < max_depth - 1
        # The form only accepts web addresses, but rows can come from elsewhere (imports, the shell, the admin).
        row.link = row.author_url if row.author_url.lower().startswith(("http://", "https://")) else ""
        if row.parent_id is None and row.depth == 0:
            row.number = thread_count - position if newest_first else position + 1
            position += 1
        else:
            row.number = None
        comments.append(row)
    return comments


def _to_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1
