"""Finding articles: the reader's search page and the admin's article search.

On PostgreSQL, `Article.search_vector` holds each article's words (headline A, dek and byline names B, body C)
in a GIN index; the receivers below keep it current whenever an article, a byline or an author's name changes,
and `refresh_search_vectors()` rebuilds any number of rows in one UPDATE. Queries use `websearch_to_tsquery`, so
readers can type "quoted phrases", -excluded words and `or`.

On SQLite (laptops, the demo) there is no index: every term is matched with icontains across headline, dek, body
text and byline names, with the same syntax, and ranked by where the words were found.

Either way a reader's words reach the page only escaped, with `<mark>` added around the matches afterwards.
"""

import functools
import html
import re
from dataclasses import dataclass
from typing import NamedTuple

import psycopg
from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import OperationalError, connection, transaction
from django.db.models import Case, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Left
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.functional import cached_property
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Author, Byline
from articles.sanitize import clean_html

# Longer input is cut here: nobody types more, and it bounds the work a single request can ask of the database.
MAX_QUERY_LENGTH = 200
# As WordPress lists search results; each one costs an excerpt (ts_headline reads the whole body).
RESULTS_PER_PAGE = 10
# A common word matches most of the archive: only the newest this many matches are ranked and paged through, and
# the page says "more than 1,000", so the work of one search stays bounded whatever the reader types.
MAX_RANKED = 1_000
# A phrase needs the words' positions, which the index does not hold: every article with all of the phrase's words
# is read from the table to check. For a phrase of common words that can be most of the archive, so a phrase
# search gives up after this long and the reader is asked for rarer words.
PHRASE_TIMEOUT_MS = 1_000
EXCERPT_CHARS = 240
# ts_headline's work grows with the text: a match past this many characters of a very long body shows the start.
HEADLINE_SOURCE_CHARS = 20_000

# SITE_LANGUAGE -> PostgreSQL text search configuration (stemming and stop words); others fall back to "simple".
TEXT_SEARCH_CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian", "no": "norwegian", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}  # fmt: skip

# Fields whose change alters what an article is found by.
SEARCHED_FIELDS = {"headline", "dek", "body"}

# ts_headline marks matches with these; they become <mark> only after the excerpt has been escaped.
_START, _STOP = "\ue000", "\ue001"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
_TOKENS = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_EDGE_PUNCTUATION = re.compile(r"^[^\w]+|[^\w]+$")


def text_search_config() -> str:
    language = settings.SITE_LANGUAGE.lower().replace("_", "-")
    return TEXT_SEARCH_CONFIGS.get(language, TEXT_SEARCH_CONFIGS.get(language.split("-")[0], "simple"))


def uses_index() -> bool:
    return connection.vendor == "postgresql"


# --- The reader's words ------------------------------------------------------------------------------------------


def clean_query(raw: str | None) -> str:
    """What a reader typed, safe to hand to any database: no control characters (PostgreSQL refuses NUL), short."""
    text = _CONTROL_CHARS.sub(" ", raw or "")
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


@dataclass(frozen=True)
class Term:
    text: str
    exclude: bool = False


@functools.lru_cache(maxsize=256)
def parse_query(query: str) -> tuple[tuple[Term, ...], ...]:
    """websearch syntax as PostgreSQL reads it: groups joined by `or`, each an AND of (maybe excluded) terms.

    A quote left open runs to the end; punctuation around a word is dropped; a group with nothing to look for is
    dropped, so a query of punctuation alone has no groups at all.
    """
    groups: list[list[Term]] = [[]]
    for match in _TOKENS.finditer(query):
        sign, phrase, word = match.groups()
        if word is not None:
            if word.lower() == "or":
                if groups[-1]:
                    groups.append([])
                continue
            sign, phrase = ("-", word[1:]) if word.startswith("-") and len(word) > 1 else ("", word)
        text = _EDGE_PUNCTUATION.sub("", " ".join(phrase.split()))
        if text:
            groups[-1].append(Term(text, exclude=sign == "-"))
    # A tuple: the result is shared by every caller with the same words (one parse per request and then some).
    return tuple(tuple(group) for group in groups if any(not term.exclude for term in group))


def included_terms(groups: tuple[tuple[Term, ...], ...]) -> list[str]:
    return list(dict.fromkeys(term.text for group in groups for term in group if not term.exclude))


# --- Keeping the index current (PostgreSQL) ------------------------------------------------------------------


def search_vector() -> SearchVector:
    """An article's words, weighted, as one expression over its row and its bylines."""
    config = text_search_config()
    byline_names = Subquery(
        Byline.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(names=StringAgg("author__name", delimiter=" "))
        .values("names")
    )
    # PostgreSQL's parser skips HTML tags and entities, so the body's markup is never indexed as words.
    return (
        SearchVector("headline", weight="A", config=config)
        + SearchVector("dek", weight="B", config=config)
        + SearchVector(byline_names, weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )


def refresh_search_vectors(*, articles: QuerySet) -> int:
    """Recompute the search vector of every article in `articles` with one UPDATE; returns the rows changed."""
    if not uses_index():
        return 0
    return Article.objects.filter(pk__in=articles.order_by().values("pk")).update(search_vector=search_vector())


@receiver(post_save, sender=Article)
def _article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not uses_index() or (update_fields is not None and not SEARCHED_FIELDS & set(update_fields)):
        return
    refresh_search_vectors(articles=Article.objects.filter(pk=instance.pk))


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
def _byline_changed(sender, instance, raw=False, origin=None, **kwargs):
    if raw or not uses_index() or _deleted_with_its_article(origin):
        return
    refresh_search_vectors(articles=Article.objects.filter(pk=instance.article_id))


def _deleted_with_its_article(origin) -> bool:
    # Deleting an article takes its bylines with it; there is nothing left to index then.
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is Article


@receiver(post_save, sender=Author)
def _author_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw or created or not uses_index() or (update_fields is not None and "name" not in update_fields):
        return
    refresh_search_vectors(articles=Article.objects.filter(bylines__author=instance))


# --- Searching ---------------------------------------------------------------------------------------------------


def search_articles(articles: QuerySet, query: str) -> "SearchResults":
    """`articles` that match `query`, best first: a sequence to paginate (see SearchResults)."""
    return SearchResults(articles, query)


def match_articles(articles: QuerySet, query: str) -> QuerySet:
    """Every one of `articles` that matches `query`, in no particular order."""
    groups = parse_query(query)
    if not groups:
        return articles.none()
    if uses_index():
        return articles.filter(search_vector=_search_query(query))
    return articles.filter(_fallback_matches(groups))


def admin_search(articles: QuerySet, query: str) -> QuerySet | None:
    """The admin's article search: the readers' matching over the admin's own queryset, in the admin's order.

    None when the query holds nothing to search for, so the admin's own (icontains) search can run instead.
    """
    query = clean_query(query)
    if not parse_query(query):
        return None
    return match_articles(articles, query)


class SearchResults:
    """The newest MAX_RANKED articles that match a query, best first; a sequence for Django's Paginator.

    Ranking happens once, in one query that returns only ids and ranks: the newest MAX_RANKED + 1 matches (the
    extra one only tells that there are more), so a common word costs no more than MAX_RANKED rows however much
    of the archive it matches, and there is no separate count. The database hands them back newest first and a
    stable sort by rank here gives best first, newer first among equals. A page (a slice) then loads its articles,
    with their bylines and, on PostgreSQL, ts_headline's `excerpt_source`: the excerpt is computed for the ten
    rows shown, never for every match, and the body itself is not loaded.
    """

    def __init__(self, articles: QuerySet, query: str):
        self.articles = articles
        self.query = query

    def __len__(self) -> int:
        return len(self._ranking.ids)

    def __getitem__(self, index: int | slice) -> Article | list[Article]:
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        ids = self._ranking.ids[index]
        if not ids:
            return []
        page = self.articles.filter(pk__in=ids)
        if uses_index():
            page = page.defer("body").annotate(excerpt_source=_headline(self.query))
        # An article unpublished since the ranking query simply drops out of the page.
        found = {article.pk: article for article in page}
        return [found[pk] for pk in ids if pk in found]

    @property
    def more(self) -> bool:
        """More articles match than were ranked."""
        return self._ranking.more

    @property
    def timed_out(self) -> bool:
        """The search was stopped (a phrase of very common words) and found nothing."""
        return self._ranking.timed_out

    @cached_property
    def _ranking(self) -> "_Ranking":
        groups = parse_query(self.query)
        if not groups:
            return _Ranking([], more=False, timed_out=False)
        newest = match_articles(self.articles, self.query).order_by("-published_at", "-id")
        if not uses_index():
            rows = list(newest.annotate(rank=_fallback_rank(groups)).values_list("pk", "rank")[: MAX_RANKED + 1])
        elif any(" " in term.text for group in groups for term in group):
            try:
                with transaction.atomic():
                    _statement_timeout(PHRASE_TIMEOUT_MS)
                    rows = _ranked_newest(newest, self.query)
            except OperationalError as error:
                if not isinstance(error.__cause__, psycopg.errors.QueryCanceled):
                    raise
                return _Ranking([], more=False, timed_out=True)
        else:
            rows = _ranked_newest(newest, self.query)
        ids = [pk for pk, _rank in sorted(rows[:MAX_RANKED], key=lambda row: -row[1])]
        return _Ranking(ids, more=len(rows) > MAX_RANKED, timed_out=False)


class _Ranking(NamedTuple):
    ids: list[int]  # best first
    more: bool  # more articles match than were ranked
    timed_out: bool


def _ranked_newest(matches: QuerySet, query: str) -> list[tuple[int, float]]:
    """(id, ts_rank) of the newest MAX_RANKED + 1 of `matches`, newest first.

    ts_rank reads an article's whole vector, stored out of line: ranked in an outer query, only the rows that
    survive the LIMIT are read, not every match on its way to the sort by date (a query matching 3,000 articles
    reads 1,001 vectors, not 3,000). The inner query is the ORM's own, with its parameters.
    """
    newest = matches.annotate(tsquery=_search_query(query)).values("pk", "search_vector", "tsquery")
    sql, params = newest[: MAX_RANKED + 1].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT newest."pk", ts_rank(newest."search_vector", newest."tsquery") FROM ({sql}) AS newest',  # noqa: S608 - Django's SQL
            params,
        )
        return cursor.fetchall()


def _statement_timeout(milliseconds: int) -> None:
    # For the current transaction only: the connection goes back to the pool with its own setting.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(milliseconds)])


def _search_query(query: str) -> SearchQuery:
    return SearchQuery(query, config=text_search_config(), search_type="websearch")


def _headline(query: str) -> SearchHeadline:
    # The text readers see: the sanitizer drops scripts and styles with their content, and every other tag.
    without_scripts = Func(
        F("body"), Value(r"<(script|style)\M[^>]*>[^<]*</\1\s*>"), Value(" "), Value("gi"), function="regexp_replace"
    )
    body_text = Left(
        Func(without_scripts, Value("<[^>]*>"), Value(" "), Value("g"), function="regexp_replace"),
        HEADLINE_SOURCE_CHARS,
    )
    return SearchHeadline(
        body_text,
        _search_query(query),
        config=text_search_config(),
        start_sel=_START,
        stop_sel=_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


def _term_matches(term: str) -> Q:
    return (
        Q(headline__icontains=term)
        | Q(dek__icontains=term)
        | Q(body__iregex=_body_pattern(term))
        | Q(Exists(Byline.objects.filter(article=OuterRef("pk"), author__name__icontains=term)))
    )


def _body_pattern(term: str) -> str:
    # Words in the text, not in the markup: a match must not sit inside a tag. "AT&T" is stored as "AT&amp;T".
    spellings = {re.escape(term), re.escape(html.escape(term, quote=False))}
    return f"(?:{'|'.join(sorted(spellings))})(?![^<>]*>)"


def _fallback_matches(groups: tuple[tuple[Term, ...], ...]) -> Q:
    matches = Q()
    for group in groups:
        wanted = Q()
        for term in group:
            wanted &= ~_term_matches(term.text) if term.exclude else _term_matches(term.text)
        matches |= wanted
    return matches


def _fallback_rank(groups: tuple[tuple[Term, ...], ...]) -> Func:
    rank = Value(0)
    for term in included_terms(groups):
        for condition, weight in (
            (Q(headline__icontains=term), 8),
            (Q(dek__icontains=term), 4),
            (Q(Exists(Byline.objects.filter(article=OuterRef("pk"), author__name__icontains=term))), 4),
            (Q(body__icontains=term), 1),
        ):
            rank = rank + Case(When(condition, then=Value(weight)), default=Value(0), output_field=IntegerField())
    return rank


# --- Excerpts ------------------------------------------------------------------------------------------------


def plain_text(body: str) -> str:
    return " ".join(html.unescape(strip_tags(clean_html(body))).split())


def excerpt(article: Article, query: str) -> SafeString:
    """A short piece of the article's text with the reader's words in `<mark>`, escaped before marking."""
    source = getattr(article, "excerpt_source", None)
    if source is not None:
        # ts_headline worked on the body with its tags removed; entities are still entities until unescaped.
        # (The body itself was not loaded: reading it here would cost a query per result.)
        text = html.unescape(source)
    else:
        text = _marked_window(plain_text(article.body), included_terms(parse_query(query)))
    return _render_marks(" ".join(text.split()))


def _marked_window(text: str, terms: list[str]) -> str:
    """Up to EXCERPT_CHARS of `text` around the first match, matches between the _START/_STOP markers."""
    if not terms:
        return _shorten(text, 0)
    pattern = re.compile("|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = 0 if first is None or first.start() < EXCERPT_CHARS // 3 else first.start() - EXCERPT_CHARS // 3
    window = _shorten(text, start)
    return pattern.sub(lambda match: f"{_START}{match.group(0)}{_STOP}", window)


def _shorten(text: str, start: int) -> str:
    if start:
        # Start on a word boundary.
        space = text.find(" ", start)
        start = space + 1 if space != -1 and space - start < 30 else start
    end = start + EXCERPT_CHARS
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = text[start:end]
    return f"{'… ' if start else ''}{piece}{' …' if end < len(text) else ''}"


def _render_marks(text: str) -> SafeString:
    parts = []
    inside = False
    for piece in re.split(f"([{_START}{_STOP}])", text):
        if piece == _START:
            if not inside:
                parts.append("<mark>")
                inside = True
        elif piece == _STOP:
            if inside:
                parts.append("</mark>")
                inside = False
        else:
            parts.append(escape(piece))
    if inside:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above went through escape()
