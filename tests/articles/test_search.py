"""The reader's search page, the admin's article search and the stored search index behind them."""

import json
import random
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search
from articles.models import Article, Byline

pytestmark = pytest.mark.django_db

SEARCH_URL = reverse("articles:search")
CHANGELIST_URL = reverse("admin:articles_article_changelist")

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored search index exists on PostgreSQL only"
)


def found(client, query: str, **params) -> list[str]:
    response = client.get(SEARCH_URL, {"q": query, **params})
    assert response.status_code == 200
    return [article.headline for article, _excerpt in response.context["results"]]


# --- Finding ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "where",
    [
        {"headline": "Harbour tunnel opens"},
        {"dek": "The harbour tunnel opens after six years"},
        {"body": "<p>Commuters crossed the <em>harbour</em> at dawn.</p>"},
    ],
    ids=["headline", "dek", "body"],
)
def test_search_finds_words_in_headline_dek_and_body(client, make_article, where):
    article = make_article(**where)
    make_article(headline="Unrelated story", body="<p>Nothing to see.</p>")
    assert found(client, "harbour") == [article.headline]


def test_search_finds_byline_names(client, make_article, make_author):
    article = make_article(authors=[make_author("Rosalind Okonkwo")])
    make_article()
    assert found(client, "Okonkwo") == [article.headline]


def test_markup_in_the_body_is_not_searched(client, make_article):
    make_article(body='<p><strong>Loud</strong> text with a <a href="https://example.com/figure">link</a>.</p>')
    assert found(client, "strong") == []
    assert found(client, "figure") == []
    assert len(found(client, "loud")) == 1


def test_headline_match_ranks_above_body_match(client, make_article):
    now = timezone.now()
    in_body = make_article(
        headline="Council meets", body="<p>The budget for the reservoir.</p>", published_at=now - timedelta(minutes=5)
    )
    in_headline = make_article(
        headline="Reservoir levels fall", body="<p>Dry summer.</p>", published_at=now - timedelta(days=3)
    )
    assert found(client, "reservoir") == [in_headline.headline, in_body.headline]


def test_equal_matches_are_listed_newest_first(client, make_article):
    now = timezone.now()
    middle = make_article(headline="Quay repairs", published_at=now - timedelta(days=2))
    newest = make_article(headline="Quay repairs", published_at=now - timedelta(hours=2))
    oldest = make_article(headline="Quay repairs", published_at=now - timedelta(days=9))
    response = client.get(SEARCH_URL, {"q": "quay repairs"})
    assert [a.pk for a, _ in response.context["results"]] == [newest.pk, middle.pk, oldest.pk]


def test_quoted_phrase_needs_the_words_together(client, make_article):
    together = make_article(headline="Rail strike", body="<p>A general strike closed the rail network.</p>")
    make_article(headline="Network news", body="<p>The rail company and the general manager spoke.</p>")
    assert found(client, '"general strike"') == [together.headline]
    assert len(found(client, "general rail")) == 2


def test_minus_excludes_articles_with_the_word(client, make_article):
    kept = make_article(headline="Wildfire near the coast", body="<p>Smoke rose. Crews came from the valley.</p>")
    make_article(headline="Wildfire evacuation", body="<p>Valley smoke everywhere.</p>")
    assert found(client, "wildfire -everywhere") == [kept.headline]
    assert found(client, 'wildfire -"valley smoke"') == [kept.headline]


def test_or_finds_either_word(client, make_article):
    first = make_article(headline="Ferry timetable changes")
    second = make_article(headline="Tram timetable changes")
    make_article(headline="Bus fares")
    assert sorted(found(client, "ferry or tram")) == sorted([first.headline, second.headline])


def test_every_word_must_match(client, make_article):
    both = make_article(headline="Museum reopens", body="<p>The sculpture hall is new.</p>")
    make_article(headline="Museum closes", body="<p>For repairs.</p>")
    assert found(client, "museum sculpture") == [both.headline]


@pytest.mark.parametrize(
    "state",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.REVIEW},
        {"status": Article.Status.UNPUBLISHED, "published_at": timezone.now() - timedelta(days=1)},
        {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + timedelta(hours=1)},
    ],
    ids=["draft", "review", "unpublished", "scheduled"],
)
def test_unpublished_work_is_never_found_by_readers(client, make_article, state):
    make_article(headline="Embargoed merger talks", **state)
    visible = make_article(headline="Merger announced")
    assert found(client, "merger") == [visible.headline]


# --- Keeping the index current ------------------------------------------------------------------------------


def test_edited_headline_is_found_by_its_new_words(client, make_article):
    article = make_article(headline="Storm warning")
    article.headline = "Heatwave warning"
    article.save()
    assert found(client, "storm") == []
    assert found(client, "heatwave") == ["Heatwave warning"]


def test_byline_changes_are_found(client, make_article, make_author):
    article = make_article(authors=[])
    author = make_author("Teodora Vasquez")
    byline = Byline.objects.create(article=article, author=author)
    assert found(client, "Vasquez") == [article.headline]

    author.name = "Teodora Lindqvist"
    author.save()
    assert found(client, "Vasquez") == []
    assert found(client, "Lindqvist") == [article.headline]

    byline.delete()
    assert found(client, "Lindqvist") == []


def test_deleting_an_article_does_not_reindex_it_byline_by_byline(make_article, make_author):
    article = make_article(authors=[make_author(), make_author(), make_author()])
    with CaptureQueriesContext(connection) as ctx:
        article.delete()
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]


@needs_postgresql
def test_saving_other_fields_does_not_reindex(article, django_assert_num_queries):
    with django_assert_num_queries(1):
        article.save(update_fields=["status", "updated_at"])


@needs_postgresql
def test_bulk_refresh_indexes_many_articles_in_one_statement(client, make_section, django_assert_num_queries):
    section = make_section()
    now = timezone.now()
    Article.objects.bulk_create(
        Article(headline=f"Bulk loaded glacier {n}", slug=f"bulk-{n}", section=section, body="<p>Ice.</p>",
                status=Article.Status.PUBLISHED, published_at=now - timedelta(minutes=n))
        for n in range(50)
    )  # fmt: skip
    assert found(client, "glacier") == []
    with django_assert_num_queries(1):
        assert search.refresh_search_vectors(articles=Article.objects.filter(section=section)) == 50
    assert len(found(client, "glacier", page=1)) == search.RESULTS_PER_PAGE
    assert client.get(SEARCH_URL, {"q": "glacier"}).context["paginator"].count == 50


@needs_postgresql
def test_update_search_vectors_command_fills_existing_articles(client, make_section):
    section = make_section()
    Article.objects.bulk_create(
        Article(headline=f"Archive tundra {n}", slug=f"archive-{n}", section=section, body="<p>Old.</p>",
                status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(days=n + 1))
        for n in range(7)
    )  # fmt: skip
    call_command("update_search_vectors", "--batch-size", "3", verbosity=0)
    assert len(found(client, "tundra")) == 7


def test_update_search_vectors_command_runs_on_any_database(make_article):
    make_article()
    call_command("update_search_vectors", verbosity=0)


def test_pages_never_load_the_search_vector(client, make_article):
    article = make_article()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
        client.get(article.get_absolute_url())
        client.get(SEARCH_URL, {"q": "headline"})
    # Ranking reads it inside the database; no query hands the column itself back.
    loaded = re.compile(r'(?<!ts_rank\()"articles_article"\."search_vector"')
    selects = [q["sql"].split(" FROM ")[0] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
    assert selects
    assert not [sql for sql in selects if loaded.search(sql)]


@pytest.mark.parametrize(
    ("language", "config"), [("en", "english"), ("fr", "french"), ("pt-br", "portuguese"), ("xx", "simple")]
)
def test_text_search_config_follows_the_site_language(settings, language, config):
    settings.SITE_LANGUAGE = language
    assert search.text_search_config() == config


# --- Excerpts and escaping -----------------------------------------------------------------------------------


def test_excerpt_marks_the_matched_words(client, make_article):
    make_article(body="<p>Volunteers planted four hundred <em>oak</em> trees along the river.</p>")
    response = client.get(SEARCH_URL, {"q": "oak trees"})
    [(article, excerpt)] = response.context["results"]
    assert "<mark>oak</mark>" in excerpt
    assert "<em>" not in excerpt
    assert "<mark>oak</mark>" in response.content.decode()


def test_excerpt_escapes_the_text_before_marking(client, make_article):
    make_article(body="<p>The page said &lt;script&gt;alert('pelican')&lt;/script&gt; in plain text.</p>")
    response = client.get(SEARCH_URL, {"q": "pelican"})
    [(article, excerpt)] = response.context["results"]
    assert "<script>" not in excerpt
    assert "&lt;script&gt;" in excerpt
    assert "<mark>pelican</mark>" in excerpt
    assert "<script>alert" not in response.content.decode()


def test_hostile_headline_and_query_are_escaped(client, make_article):
    make_article(headline='<img src=x onerror="alert(1)"> Flamingo scandal', dek="<b>bold</b> flamingo")
    content = client.get(SEARCH_URL, {"q": "flamingo"}).content.decode()
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Flamingo scandal" in content
    assert "<b>bold</b>" not in content
    content = client.get(SEARCH_URL, {"q": 'flamingo <script>alert("q")</script>'}).content.decode()
    assert '<script>alert("q")' not in content
    assert "&lt;script&gt;alert(&quot;q&quot;)" in content


def test_excerpt_of_a_hostile_body_carries_no_markup(client, make_article):
    make_article(
        body='<script>alert("kestrel")</script><p onclick="steal()">A kestrel <img src=x onerror=alert(1)> nests '
        'on the <a href="javascript:alert(1)">tower</a>.</p>'
    )
    [(article, excerpt)] = client.get(SEARCH_URL, {"q": "kestrel"}).context["results"]
    assert "<mark>kestrel</mark>" in excerpt.lower()
    assert "<" not in excerpt.replace("<mark>", "").replace("</mark>", "")
    assert "onclick" not in excerpt and "javascript:" not in excerpt
    assert "alert" not in excerpt  # the script's text is not part of the article readers see


def test_excerpt_of_a_long_body_is_short_and_centred_on_the_match(client, make_article):
    filler = " ".join(["lorem"] * 400)
    make_article(body=f"<p>{filler} the albatross landed {filler}</p>")
    [(article, excerpt)] = client.get(SEARCH_URL, {"q": "albatross"}).context["results"]
    assert "<mark>albatross</mark>" in excerpt
    assert len(excerpt) < 400


# --- Pages and bad input --------------------------------------------------------------------------------------


def test_results_paginate_and_keep_the_query(client, make_article):
    now = timezone.now()
    per_page = search.RESULTS_PER_PAGE
    for n in range(per_page + 5):
        make_article(headline=f"Lighthouse keeper {n}", published_at=now - timedelta(hours=n + 1))
    first = client.get(SEARCH_URL, {"q": "lighthouse"})
    assert len(first.context["results"]) == per_page
    assert first.context["paginator"].count == per_page + 5
    assert 'href="?q=lighthouse&amp;page=2"' in first.content.decode()
    second = client.get(SEARCH_URL, {"q": "lighthouse", "page": 2})
    assert len(second.context["results"]) == 5
    assert 'href="?q=lighthouse&amp;page=1"' in second.content.decode()
    assert not {a.pk for a, _ in first.context["results"]} & {a.pk for a, _ in second.context["results"]}
    assert client.get(SEARCH_URL, {"q": "lighthouse", "page": 9}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "walrus " * 2000,
        "!!! ,,, ???",
        '"unbalanced walrus',
        'walrus"',
        "wal\x00rus",
        "\x00",
        "-walrus",
        "or",
        "walrus or",
        "& | ! ( ) : * <-> \\",
        "'; DROP TABLE articles_article; --",
        "%_%",
        "w" * 10_000,
    ],
    ids=[
        "empty", "spaces", "10000-chars", "punctuation", "open-quote", "stray-quote", "nul-inside", "nul-only",
        "exclusion-only", "or-only", "trailing-or", "tsquery-operators", "sql", "like-wildcards", "one-long-word",
    ],
)  # fmt: skip
def test_bad_queries_answer_a_normal_page(client, make_article, query):
    make_article(headline="Walrus sighting")
    response = client.get(SEARCH_URL, {"q": query})
    assert response.status_code == 200
    assert 'role="search"' in response.content.decode()
    assert len(response.context["query"]) <= search.MAX_QUERY_LENGTH


def test_query_is_cut_to_the_maximum_length_and_the_reader_is_told(client, make_article):
    make_article(headline="Walrus sighting")
    response = client.get(SEARCH_URL, {"q": "walrus " + "x" * 500})
    assert response.context["query"] == ("walrus " + "x" * 500)[: search.MAX_QUERY_LENGTH]
    assert "only its first" in response.content.decode()


def test_unbalanced_quote_still_finds_the_words(client, make_article):
    article = make_article(headline="Walrus sighting")
    assert found(client, '"walrus sighting') == [article.headline]


def test_no_query_shows_the_form_and_no_results(client, make_article):
    make_article()
    response = client.get(SEARCH_URL)
    assert response.status_code == 200
    assert response.context["results"] == []


def test_masthead_has_a_labelled_search_form(client):
    content = client.get("/").content.decode()
    assert 'action="/search/"' in content
    assert '<label class="visually-hidden" for="site-search-q">Search articles</label>' in content
    assert 'id="site-search-q" name="q"' in content


def test_search_page_query_count_does_not_grow_with_results(
    client, make_article, make_author, django_assert_max_num_queries
):
    for n in range(search.RESULTS_PER_PAGE + 5):
        make_article(headline=f"Orchard report {n}", authors=[make_author(), make_author()])
    # count, page, bylines (one prefetch for the page), navigation sections
    with django_assert_max_num_queries(4):
        response = client.get(SEARCH_URL, {"q": "orchard report"})
    assert len(response.context["results"]) == search.RESULTS_PER_PAGE


def test_common_word_ranks_and_pages_only_the_newest_matches(client, make_article, monkeypatch):
    monkeypatch.setattr(search, "MAX_RANKED", 12)
    now = timezone.now()
    # The oldest matches rank best by their words (the headline), but they fall outside the newest twelve.
    old = [make_article(headline=f"Kelp kelp kelp {n}", published_at=now - timedelta(days=30 + n)) for n in range(3)]
    newest = [
        make_article(body=f"<p>Some kelp, story {n}.</p>", published_at=now - timedelta(hours=n + 1)) for n in range(12)
    ]
    first = client.get(SEARCH_URL, {"q": "kelp"})
    paginator = first.context["paginator"]
    assert (paginator.count, first.context["more_results"], paginator.num_pages) == (12, True, 2)
    assert "More than 12 articles match" in first.content.decode()
    second = client.get(SEARCH_URL, {"q": "kelp", "page": 2})
    shown = [a.pk for a, _ in first.context["results"]] + [a.pk for a, _ in second.context["results"]]
    assert sorted(shown) == sorted(a.pk for a in newest)
    assert not {a.pk for a in old} & set(shown)
    assert client.get(SEARCH_URL, {"q": "kelp", "page": 3}).status_code == 404


def test_result_count_is_exact_up_to_the_limit(client, make_article, monkeypatch):
    monkeypatch.setattr(search, "MAX_RANKED", 12)
    for _n in range(12):
        make_article(headline="Kelp forest")
    response = client.get(SEARCH_URL, {"q": "kelp"})
    assert (response.context["paginator"].count, response.context["more_results"]) == (12, False)
    assert "12 articles match" in response.content.decode()
    assert "More than" not in response.content.decode()


@needs_postgresql
def test_results_do_not_load_the_body(client, make_article):
    make_article(headline="Osprey nest", body="<p>The osprey returned to the mast.</p>")
    [(article, excerpt)] = client.get(SEARCH_URL, {"q": "osprey"}).context["results"]
    assert "body" in article.get_deferred_fields()
    assert "<mark>osprey</mark>" in excerpt.lower()


@needs_postgresql
def test_excerpts_are_made_for_the_rows_of_the_page_only(client, make_article):
    for n in range(search.RESULTS_PER_PAGE + 5):
        make_article(headline=f"Heron count {n}", body="<p>The heron count rose.</p>")
    with CaptureQueriesContext(connection) as ctx:
        client.get(SEARCH_URL, {"q": "heron"})
    [page_sql] = [q["sql"] for q in ctx.captured_queries if "ts_headline" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) {page_sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    # ts_headline reads a whole body each time: it runs for the rows shown, never for every match.
    headlines = [node for node in nodes(plan[0]["Plan"]) if "ts_headline" in json.dumps(node.get("Output", []))]
    assert headlines
    assert all(node["Actual Rows"] * node["Actual Loops"] <= search.RESULTS_PER_PAGE for node in headlines)


@needs_postgresql
def test_ranking_reads_only_ids_and_ranks(client, make_article):
    make_article(headline="Heron count", body="<p>The heron count rose.</p>")
    with CaptureQueriesContext(connection) as ctx:
        client.get(SEARCH_URL, {"q": "heron"})
    [ranking_sql] = [q["sql"] for q in ctx.captured_queries if "ts_rank" in q["sql"]]
    selected = ranking_sql.split(" FROM ")[0]
    assert re.fullmatch(r'SELECT \w+\."pk", ts_rank\([^()]*\)', selected.strip()), selected
    assert '"body"' not in ranking_sql and "ts_headline" not in ranking_sql
    assert f"LIMIT {search.MAX_RANKED + 1}" in ranking_sql


@needs_postgresql
def test_slow_phrase_search_stops_and_asks_for_rarer_words(client, make_article, monkeypatch):
    make_article(headline="Tide tables", body="<p>The tide tables for the harbour.</p>")
    monkeypatch.setattr(search, "PHRASE_TIMEOUT_MS", 50)
    matches = search.match_articles

    def slow_matches(articles, query):
        # A phrase of common words: checking every candidate's positions takes a long time.
        return matches(articles, query).filter(RawSQL("pg_sleep(0.2) IS NOT NULL", [], output_field=BooleanField()))

    monkeypatch.setattr(search, "match_articles", slow_matches)
    response = client.get(SEARCH_URL, {"q": '"tide tables"'})
    assert response.status_code == 200
    assert response.context["timed_out"] is True
    assert "took too long" in response.content.decode()
    # The limit was for that one statement's transaction: the connection keeps no timeout afterwards.
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@needs_postgresql
def test_only_phrase_searches_run_under_a_time_limit(client, make_article):
    make_article(headline="Tide tables", body="<p>The tide tables for the harbour.</p>")
    for query, limited in (("tide tables", False), ('"tide tables"', True), ('harbour -"tide tables"', True)):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(SEARCH_URL, {"q": query})
        assert response.context["timed_out"] is False
        assert response.context["paginator"].count == (0 if query.startswith("harbour") else 1)
        assert any("statement_timeout" in q["sql"] for q in ctx.captured_queries) is limited, query


# --- The admin --------------------------------------------------------------------------------------------------


def test_editor_finds_drafts_in_the_admin(editor, client_for, make_article):
    draft = make_article(status=Article.Status.DRAFT, headline="Pipeline leak draft", body="<p>Turbine.</p>")
    live = make_article(headline="Wind farm", body="<p>Turbine blades.</p>")
    make_article(headline="Other", body="<p>Nothing.</p>")
    response = client_for(editor).get(CHANGELIST_URL, {"q": "turbine"})
    assert response.status_code == 200
    assert {a.pk for a in response.context["cl"].result_list} == {draft.pk, live.pk}


def test_admin_search_syntax_and_bylines(editor, client_for, make_article, make_author):
    article = make_article(status=Article.Status.REVIEW, authors=[make_author("Ines Haraldsen")])
    make_article(status=Article.Status.REVIEW, headline="Haraldsen profile")
    response = client_for(editor).get(CHANGELIST_URL, {"q": "Ines Haraldsen"})
    assert [a.pk for a in response.context["cl"].result_list] == [article.pk]


def test_reporter_finds_only_their_own_work_in_the_admin(reporter, client_for, make_article, make_author):
    mine = make_author("Dana Reporter", user=reporter)
    own = make_article(status=Article.Status.DRAFT, headline="Quarry expansion notes", authors=[mine])
    make_article(status=Article.Status.DRAFT, headline="Quarry expansion, the other desk")
    response = client_for(reporter).get(CHANGELIST_URL, {"q": "quarry"})
    assert [a.pk for a in response.context["cl"].result_list] == [own.pk]


def test_admin_search_with_punctuation_only_is_a_normal_page(editor, client_for, make_article):
    make_article()
    assert client_for(editor).get(CHANGELIST_URL, {"q": "!!! \x00"}).status_code == 200


# --- The query plan -------------------------------------------------------------------------------------------


@needs_postgresql
def test_search_query_uses_the_gin_index(client, make_section, make_author):
    """EXPLAIN the search page's queries on a table of a few thousand articles."""
    rng = random.Random(10)
    vocabulary = [f"word{n}" for n in range(800)]
    section = make_section()
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            headline=" ".join(rng.choices(vocabulary, k=6)),
            slug=f"story-{n}",
            section=section,
            body="<p>" + " ".join(rng.choices(vocabulary, k=80)) + "</p>",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n),
        )
        for n in range(4000)
    )
    Article.objects.filter(pk__in=Article.objects.order_by("pk").values("pk")[:3]).update(
        headline="Cormorant colony on the pier"
    )
    search.refresh_search_vectors(articles=Article.objects.all())
    with connection.cursor() as cursor:
        # What autovacuum does on a live site: fold the GIN index's pending entries in and gather statistics.
        cursor.execute("SELECT gin_clean_pending_list('article_search_vector_gin')")
        cursor.execute("ANALYZE articles_article")

    with CaptureQueriesContext(connection) as ctx:
        assert found(client, "cormorant colony")
    search_queries = [q["sql"] for q in ctx.captured_queries if "search_vector" in q["sql"]]
    assert len(search_queries) == 1  # ranking (ids and ranks, which also counts); the page then loads by id
    for sql in search_queries:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "article_search_vector_gin" in plan, f"{sql}\n{plan}"
        assert "Seq Scan on articles_article" not in plan, f"{sql}\n{plan}"
