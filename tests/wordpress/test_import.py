"""manage.py import_wxr on a small export: what becomes of posts, bylines, terms, images and comment threads."""

import math
from contextlib import redirect_stderr
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.cache import article_version
from articles.models import Article, Author, Byline, Section, Tag
from comments.models import Comment
from comments.spam import due_rechecks
from comments.threads import get_page
from tests.wordpress.conftest import DATA, summary_line
from wordpress import services, wxr
from wordpress.models import LegacyPath, WordPressObject
from wordpress.services import posts
from wordpress.services.comments import BATCH

pytestmark = pytest.mark.django_db


def article_of(wp_id: int) -> Article:
    return Article.objects.get(pk=WordPressObject.objects.get(kind="post", wp_id=wp_id).object_id)


def comment_of(wp_id: int) -> Comment:
    return Comment.objects.get(pk=WordPressObject.objects.get(kind="comment", wp_id=wp_id).object_id)


def snapshot() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Byline, Section, Tag, Comment, LegacyPath, WordPressObject)
    }


# --- Posts -----------------------------------------------------------------------------------------------------


def test_posts_become_articles_with_their_status(import_wxr, site_export):
    import_wxr(site_export)
    published = article_of(10)
    assert published.status == Article.Status.PUBLISHED
    assert published.is_live
    assert published.headline == "Mayor wins “second” term"
    assert published.slug == "mayor-wins-second-term"
    assert published.dek == "The mayor won a second term."
    assert published.published_at == datetime(2012, 5, 2, 21, 47, tzinfo=UTC)
    # The address carries the date in the site's zone (New York), as WordPress's did.
    assert published.get_absolute_url() == "/2012/05/02/mayor-wins-second-term/"

    scheduled = article_of(12)
    assert scheduled.is_scheduled
    assert not Article.objects.published().filter(pk=scheduled.pk).exists()
    assert Article.objects.scheduled().filter(pk=scheduled.pk).exists()

    assert article_of(13).status == Article.Status.DRAFT
    assert article_of(13).published_at is None
    assert article_of(13).slug == "a-draft"
    assert article_of(14).status == Article.Status.REVIEW
    assert article_of(15).status == Article.Status.DRAFT  # private
    assert not WordPressObject.objects.filter(kind="post", wp_id__in=[16, 17]).exists()  # trash, page
    assert Article.objects.count() == 7


def test_summary_counts_what_was_skipped_and_noted(import_wxr, site_export):
    output = import_wxr(site_export)
    assert summary_line(output, "posts") == [7, 0, 0, 1]
    assert summary_line(output, "authors") == [3, 0, 0, 0]
    assert summary_line(output, "comments: published") == [6, 0, 0, 0]
    assert summary_line(output, "comments: pending") == [1, 0, 0, 0]
    assert summary_line(output, "comments: spam") == [1, 0, 0, 0]
    assert summary_line(output, "comments: removed") == [1, 0, 0, 0]
    assert summary_line(output, "redirects") == [2, 0, 0, 0]
    assert summary_line(output, "images") == [0, 0, 0, 1]
    assert "2  pingbacks and trackbacks skipped" in output
    assert "1  page items skipped" in output
    assert "1  posts skipped as trash" in output
    assert "1  comments whose parent is missing from the file, made top-level" in output
    assert "1  sticky posts" in output
    assert "1  featured images not brought over" in output


def test_first_category_is_the_section_the_rest_and_tags_are_tags(import_wxr, site_export):
    import_wxr(site_export)
    mayor = article_of(10)
    assert mayor.section.name == "Politics"
    assert sorted(mayor.tags.values_list("name", flat=True)) == ["Elections", "News"]
    assert article_of(14).section.name == "Uncategorized"


def test_authors_and_guest_authors_become_ordered_bylines_without_accounts(import_wxr, site_export):
    import_wxr(site_export)
    assert article_of(10).byline_text == "John Smith"
    # Co-Authors Plus: the guest author first, then the WordPress user, in the order the post lists them.
    assert [a.name for a in article_of(11).byline_authors] == ["Jane Guest", "Mary Jones"]
    assert not Author.objects.filter(user__isnull=False).exists()
    login = WordPressObject.objects.get(kind="author", key="mjones")
    assert Author.objects.get(pk=login.object_id).name == "Mary Jones"


def test_existing_author_with_the_same_slug_is_reused(import_wxr, site_export, make_author):
    existing = Author.objects.create(name="John Q. Smith", slug="jsmith")
    import_wxr(site_export)
    assert article_of(10).byline_authors == [existing]
    assert Author.objects.filter(slug__startswith="jsmith").count() == 1


def test_block_markup_shortcodes_and_hostile_html_become_clean_bodies(import_wxr, site_export):
    import_wxr(site_export)
    body = article_of(10).body
    assert "<p>The count ended after midnight.<br>\nThe mayor spoke at 1 a.m.</p>" in body
    assert "<figcaption>Supporters at city hall</figcaption>" in body
    assert "[caption" not in body
    assert "<script" not in body and "onerror" not in body and "javascript:" not in body
    assert "café owners of Zürich Street" in body
    council = article_of(11).body
    assert "wp:" not in council and "<!--" not in council
    assert "<p>The council met on Thursday.</p>" in council
    assert '<a href="https://video.example.com/watch?v=1"' in council


def test_non_ascii_post_keeps_its_text_and_gets_an_ascii_address(import_wxr, site_export, client):
    import_wxr(site_export)
    article = article_of(18)
    assert article.headline == "Привет, мир: новости"
    assert "Текст на русском. 日本語も。" in article.body
    assert article.slug == "post-18"
    assert client.get(article.get_absolute_url()).status_code == 200


# --- Comments --------------------------------------------------------------------------------------------------


def test_threads_keep_their_shape_and_paths(import_wxr, site_export, settings):
    import_wxr(site_export)
    root, reply, second, third, fifth = (comment_of(n) for n in (101, 102, 103, 104, 105))
    assert (root.parent, root.depth, root.thread_id, root.path) == (None, 0, root.pk, str(root.pk).zfill(10))
    assert (reply.parent, reply.depth, reply.thread_id) == (root, 1, root.pk)
    assert reply.path == root.path + str(reply.pk).zfill(10)
    assert (second.parent, second.depth) == (reply, 2)
    assert (third.parent, third.depth, third.path) == (second, 3, second.path + str(third.pk).zfill(10))
    # WordPress nests deeper than the site shows: as a reader's reply would, it attaches beside its parent.
    assert settings.COMMENTS_MAX_DEPTH == 4
    assert (fifth.parent, fifth.depth, fifth.path) == (second, 3, second.path + str(fifth.pk).zfill(10))
    thread = list(Comment.objects.filter(thread_id=root.pk).in_display_order().values_list("pk", flat=True))
    assert thread == [root.pk, reply.pk, second.pk, third.pk, fifth.pk]


def test_comment_section_shows_the_imported_threads(import_wxr, site_export, client):
    import_wxr(site_export)
    article = article_of(10)
    page = get_page(article)
    shown = [c.pk for c in page.comments]
    assert comment_of(105).pk in shown
    assert comment_of(107).pk not in shown  # spam
    page_html = client.get(article.get_absolute_url()).content.decode()
    assert "Because of the budget." in page_html
    assert "<script>alert" not in page_html


def test_every_comment_status_is_mapped_and_pingbacks_are_skipped(import_wxr, site_export):
    import_wxr(site_export)
    assert comment_of(101).status == Comment.Status.PUBLISHED
    assert comment_of(106).status == Comment.Status.PENDING
    assert comment_of(107).status == Comment.Status.SPAM
    assert comment_of(108).status == Comment.Status.REMOVED
    assert not WordPressObject.objects.filter(kind="comment", wp_id__in=[109, 110]).exists()
    assert not Comment.objects.filter(author_name__in=["Other Blog", "Another Blog"]).exists()


def test_orphan_reply_becomes_top_level(import_wxr, site_export):
    import_wxr(site_export)
    orphan = comment_of(111)
    assert (orphan.parent, orphan.depth, orphan.thread_id, orphan.status) == (None, 0, orphan.pk, "published")


def test_comment_fields_come_along_and_hostile_text_is_kept_as_text(import_wxr, site_export):
    import_wxr(site_export)
    ann = comment_of(101)
    assert (ann.author_name, ann.author_email, ann.author_url) == ("Ann", "ann@example.org", "https://ann.example.org")
    assert ann.ip_address == "203.0.113.5"
    assert ann.submitted_at == datetime(2012, 5, 2, 22, 0, tzinfo=UTC)
    assert ann.body == "Congratulations!\nWell deserved."
    assert comment_of(102).ip_address == "2001:db8::1"
    assert comment_of(104).ip_address is None  # "not-an-ip" in the file
    assert comment_of(102).body == "I disagree, here is why (https://bob.example.org/why)."
    zoe = comment_of(105)
    assert zoe.author_name == "Zoë Ωmega"
    assert zoe.body == "Fifth level: naïve reply"


def test_imported_comments_are_not_sent_to_akismet(import_wxr, site_export, settings, no_akismet_network):
    settings.AKISMET_API_KEY = "test-key-123"
    import_wxr(site_export)
    assert not Comment.objects.exclude(akismet_verdict=Comment.Verdict.SKIPPED).exists()
    assert not due_rechecks().exists()
    assert comment_of(106).pending_reason == "Held for moderation on the WordPress site"


def test_comment_counts_and_page_cache_are_right_afterwards(import_wxr, site_export, client, tmp_path):
    import_wxr(site_export)
    article = article_of(10)
    assert article.comment_count == 6  # published only: not pending, spam, removed or pingbacks
    first = client.get(article.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    version = article_version(article.pk)
    changed = DATA.joinpath("site.xml").read_text().replace("Well deserved.", "Well deserved, truly.")
    path = tmp_path / "changed.xml"
    path.write_text(changed)
    import_wxr(path)
    assert article_version(article.pk) != version
    assert "Well deserved, truly." in client.get(article.get_absolute_url()).content.decode()


# --- Reruns, resuming, broken files -----------------------------------------------------------------------------


def test_rerun_creates_nothing_twice_and_reports_everything_unchanged(import_wxr, site_export):
    import_wxr(site_export)
    before = snapshot()
    output = import_wxr(site_export)
    assert snapshot() == before
    assert summary_line(output, "posts") == [0, 0, 7, 1]
    assert summary_line(output, "comments: published") == [0, 0, 6, 0]
    assert summary_line(output, "authors")[0] == 0
    assert summary_line(output, "sections")[0] == 0
    assert summary_line(output, "tags")[0] == 0


def test_rerun_of_a_changed_export_updates_in_place(import_wxr, site_export, tmp_path):
    import_wxr(site_export)
    before = snapshot()
    ann = comment_of(101)
    changed = site_export.read_text().replace("Council debates the budget", "Council passes the budget")
    changed = changed.replace(
        "<wp:comment_approved><![CDATA[0]]></wp:comment_approved>",
        "<wp:comment_approved><![CDATA[1]]></wp:comment_approved>",
    )
    path = tmp_path / "changed.xml"
    path.write_text(changed)
    output = import_wxr(path)
    assert snapshot() == before
    assert article_of(11).headline == "Council passes the budget"
    assert comment_of(106).status == Comment.Status.PUBLISHED
    assert comment_of(101).pk == ann.pk
    assert summary_line(output, "posts") == [0, 2, 5, 1]
    assert article_of(10).comment_count == 7


def test_new_replies_in_a_later_export_join_their_threads(import_wxr, site_export, tmp_path):
    import_wxr(site_export)
    reply = (
        "<wp:comment><wp:comment_id>120</wp:comment_id><wp:comment_author>Fay</wp:comment_author>"
        "<wp:comment_author_email>fay@example.org</wp:comment_author_email><wp:comment_author_IP></wp:comment_author_IP>"
        "<wp:comment_date_gmt>2012-05-03 10:00:00</wp:comment_date_gmt>"
        "<wp:comment_content>Late reply</wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type>"
        "<wp:comment_parent>102</wp:comment_parent></wp:comment>"
    )
    path = tmp_path / "later.xml"
    path.write_text(site_export.read_text().replace("</item>", reply + "</item>", 1))
    import_wxr(path)
    late, parent = comment_of(120), comment_of(102)
    assert (late.parent, late.depth, late.thread_id) == (parent, 2, parent.thread_id)
    assert late.path == parent.path + str(late.pk).zfill(10)


def test_truncated_file_stops_with_line_and_column_and_keeps_earlier_posts(import_wxr):
    with pytest.raises(CommandError, match=r"at line 127, column \d+.*run the same command again"):
        import_wxr(DATA / "truncated.xml")
    assert sorted(WordPressObject.objects.filter(kind="post").values_list("wp_id", flat=True)) == [10, 11]
    assert not Article.objects.filter(slug="election-results-live").exists()


def test_rerun_after_a_truncated_file_finishes_the_import(import_wxr, site_export):
    with pytest.raises(CommandError):
        import_wxr(DATA / "truncated.xml")
    output = import_wxr(site_export)
    assert summary_line(output, "posts") == [5, 0, 2, 1]
    assert Article.objects.count() == 7
    assert Comment.objects.count() == 9


def test_crash_mid_file_leaves_nothing_of_the_post_and_a_rerun_resumes(import_wxr, site_export, monkeypatch):
    real = posts.import_comments

    def crash_on_council(run, item, article, prepared):
        if item.wp_id == 11:
            raise RuntimeError("power cut")
        real(run, item, article, prepared)

    monkeypatch.setattr(posts, "import_comments", crash_on_council)
    with pytest.raises(RuntimeError, match="power cut"):
        import_wxr(site_export)
    assert list(WordPressObject.objects.filter(kind="post").values_list("wp_id", flat=True)) == [10]
    assert not Article.objects.filter(slug="council-debates-the-budget").exists()
    assert not Byline.objects.filter(author__name="Jane Guest").exists()

    monkeypatch.setattr(posts, "import_comments", real)
    output = import_wxr(site_export)
    assert summary_line(output, "posts") == [6, 0, 1, 1]
    assert [a.name for a in article_of(11).byline_authors] == ["Jane Guest", "Mary Jones"]
    assert Article.objects.count() == 7


def test_dry_run_writes_nothing_and_reports_what_it_would_do(import_wxr, site_export):
    before = snapshot()
    output = import_wxr(site_export, "--dry-run")
    assert snapshot() == before
    assert summary_line(output, "posts") == [7, 0, 0, 1]
    assert summary_line(output, "comments: published") == [6, 0, 0, 0]
    assert "Dry run: nothing was written." in output


def test_missing_file_is_a_clear_error(import_wxr, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        import_wxr(tmp_path / "nope.xml")


# --- Images ----------------------------------------------------------------------------------------------------


def test_featured_image_is_copied_with_caption_credit_and_alt(import_wxr, site_export, uploads):
    output = import_wxr(site_export, f"--media-dir={uploads}")
    article = article_of(10)
    # Kept under the upload's own path, the one copy the post body's image uses too.
    assert article.lead_image.name == "wordpress/2012/05/crowd.jpg"
    assert article.lead_image.storage.exists(article.lead_image.name)
    assert article.lead_image_caption == "Supporters at city hall"
    assert article.lead_image_credit == "AP Photo"
    assert article.lead_image_alt == "Supporters cheer the mayor"
    assert summary_line(output, "images") == [1, 0, 0, 0]
    # A rerun neither copies the file again nor changes the article.
    name = article.lead_image.name
    output = import_wxr(site_export, f"--media-dir={uploads}")
    assert summary_line(output, "images") == [0, 0, 1, 0]
    assert article_of(10).lead_image.name == name
    assert len(list((uploads.parent / "media").rglob("*.jpg"))) == 1


def test_without_media_dir_images_are_counted_as_not_brought_over(import_wxr, site_export):
    output = import_wxr(site_export)
    assert not article_of(10).lead_image
    assert "featured images not brought over" in output


# --- Cost ------------------------------------------------------------------------------------------------------


def generated_post(wp_id: int, comments: int) -> wxr.Item:
    """A post whose comments form threads of four levels, as a busy WordPress post's do."""
    when = datetime(2012, 5, 2, 12, 0, tzinfo=UTC)
    rows = []
    for n in range(comments):
        comment_id = wp_id * 10_000 + n
        parent = comment_id - 1 if n % 4 else 0
        rows.append(
            wxr.Comment(
                wp_id=comment_id,
                author=f"Reader {n}",
                author_email=f"reader{n}@example.org",
                author_ip="198.51.100.1",
                date_gmt=when + timedelta(minutes=n),
                content=f"Comment {n} on the story, with several words in it.",
                approved="1" if n % 10 else "0",
                parent_id=parent,
            )
        )
    return wxr.Item(
        wp_id=wp_id,
        title=f"Story {wp_id}",
        link=f"http://old.example.com/2012/05/02/story-{wp_id}-old/",
        creator="reporter",
        content="First paragraph.\n\nSecond paragraph.",
        post_date_gmt=when,
        post_name=f"story-{wp_id}",
        status="publish",
        terms=[wxr.ItemTerm("category", "news", "News"), wxr.ItemTerm("post_tag", "city", "City")],
        comments=rows,
    )


def test_queries_per_post_do_not_grow_with_its_comments(django_capture_on_commit_callbacks):
    run = services.ImportRun(site="http://old.example.com")

    def queries(item: wxr.Item) -> int:
        # Commit callbacks run as they would outside a test: they remember the authors, sections and tags made.
        with CaptureQueriesContext(connection) as context, django_capture_on_commit_callbacks(execute=True):
            services.import_item(run=run, item=item)
        return len(context)

    queries(generated_post(1, 8))  # the first post creates the author, section and tag
    few, many = queries(generated_post(2, 8)), queries(generated_post(3, 400))
    fields = [f.name for f in Comment._meta.concrete_fields]
    rows_per_statement = min(BATCH, connection.ops.bulk_batch_size(fields, [None] * 400))
    batches = math.ceil(400 / rows_per_statement)
    # Rows go in and get their paths a batch at a time (PostgreSQL takes all 400 in one batch; SQLite's limit on
    # query parameters makes it several), never a statement per comment.
    assert many <= few + 3 * (batches - 1)
    assert few <= 25
    assert Comment.objects.filter(article=article_of(3)).count() == 400
    assert article_of(3).comment_count == 360


def test_unchanged_post_on_a_rerun_is_read_not_written(django_assert_max_num_queries):
    run = services.ImportRun(site="http://old.example.com")
    services.import_item(run=run, item=generated_post(1, 50))
    with django_assert_max_num_queries(4) as context:  # a savepoint, the import record, the article, release
        assert services.import_item(run=run, item=generated_post(1, 50)) == "unchanged"
    assert not [q for q in context.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_import_time_is_in_the_site_zone_not_the_servers(import_wxr, site_export):
    import_wxr(site_export)
    local = timezone.localtime(article_of(10).published_at)
    assert (local.hour, local.minute, str(local.tzinfo)) == (17, 47, "America/New_York")


def test_progress_bar_on_request_and_plain_lines_otherwise(site_export):
    out, err = StringIO(), StringIO()
    with redirect_stderr(err):
        call_command("import_wxr", str(site_export), "--progress=bar", stdout=out)
    assert "Importing" in err.getvalue() and "100%" in err.getvalue()
    assert "% read" not in out.getvalue()
    output = StringIO()
    call_command("import_wxr", str(site_export), "--progress=log", stdout=output)
    assert "100.0% read, 8 posts, 11 comments" in output.getvalue()


def test_admin_lists_the_old_addresses_and_import_records(import_wxr, site_export, admin_client):
    import_wxr(site_export)
    response = admin_client.get("/admin/wordpress/legacypath/")
    assert response.status_code == 200
    assert "/2012/05/02/mayor-leads-count/" in response.content.decode()
    assert admin_client.get("/admin/wordpress/wordpressobject/?kind=post").status_code == 200
    assert admin_client.get("/admin/wordpress/wordpressobject/add/").status_code == 403


def test_dry_run_copies_no_image_files(import_wxr, site_export, uploads):
    output = import_wxr(site_export, "--dry-run", f"--media-dir={uploads}")
    assert summary_line(output, "images") == [1, 0, 0, 0]
    assert not list((uploads.parent / "media").rglob("*.jpg"))
    assert not Article.objects.exists()


def test_comments_deleted_after_the_import_stay_deleted(import_wxr, site_export, tmp_path):
    import_wxr(site_export)
    comment_of(107).delete()  # the spam purge
    changed = site_export.read_text().replace("Congratulations!", "Congratulations, Mayor!")
    path = tmp_path / "changed.xml"
    path.write_text(changed)
    output = import_wxr(path)
    assert not Comment.objects.filter(author_name="Cheap Pills").exists()
    assert comment_of(101).body.startswith("Congratulations, Mayor!")
    assert "1  comments deleted in Newsroom since an earlier import, left deleted" in output


def test_ctrl_c_stops_cleanly_and_the_same_command_carries_on(import_wxr, site_export, monkeypatch):
    real = posts.import_comments

    def interrupted(run, item, article, prepared):
        if item.wp_id == 12:
            raise KeyboardInterrupt
        real(run, item, article, prepared)

    monkeypatch.setattr(posts, "import_comments", interrupted)
    with pytest.raises(CommandError, match="Stopped.*run the same command again"):
        import_wxr(site_export)
    assert sorted(WordPressObject.objects.filter(kind="post").values_list("wp_id", flat=True)) == [10, 11]
    monkeypatch.setattr(posts, "import_comments", real)
    output = import_wxr(site_export)
    assert summary_line(output, "posts") == [5, 0, 2, 1]
    assert Comment.objects.count() == 9


def test_imported_articles_are_found_by_their_byline_names(import_wxr, site_export, client):
    import_wxr(site_export)
    # Bylines go in after the article, in bulk: the stored search vector must still hold the names.
    response = client.get("/search/", {"q": "Jane Guest"})
    assert response.status_code == 200
    assert article_of(11).headline in response.content.decode()
    assert article_of(10).headline not in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner statistics")
def test_import_gathers_statistics_on_the_tables_it_fills(import_wxr, site_export):
    # Without them PostgreSQL looks each post's comments up with a scan of every comment imported so far.
    import_wxr(site_export)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [WordPressObject._meta.db_table])
        assert cursor.fetchone()[0] > 0
