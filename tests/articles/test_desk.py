"""The reporter's desk: revisions, autosave, edit locks, stale saves, workflow buttons, notes, lead images."""

import json
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles import revisions, services
from articles.models import Article, ArticleDraft, ArticleLock, Byline, Correction, EditorialNote
from articles.revisions import article_versions, word_diff

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def autosave_url(article=None):
    return reverse("admin:articles_article_autosave", args=[article.pk] if article else [])


def lock_url(article):
    return reverse("admin:articles_article_lock", args=[article.pk])


@pytest.fixture
def reporter_author(reporter, make_author):
    return make_author("Dana Whitfield", user=reporter)


@pytest.fixture
def own_draft(make_article, reporter, reporter_author):
    return make_article(status=Article.Status.DRAFT, authors=[reporter_author], created_by=reporter)


def post_json(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


# --- Revisions ----------------------------------------------------------------------------------------


def test_every_admin_save_keeps_a_revision_with_who_and_what(editor, own_draft, client_for, article_form_data):
    client = client_for(editor)
    client.post(change_url(own_draft), article_form_data(own_draft, headline="First take"))
    own_draft.refresh_from_db()
    client.post(change_url(own_draft), article_form_data(own_draft, body="<p>Second take.</p>"))
    versions = list(article_versions(own_draft))
    assert len(versions) == 2
    assert versions[0].field_dict["body"] == "<p>Second take.</p>"
    assert versions[1].field_dict["headline"] == "First take"
    assert versions[0].revision.user == editor
    assert versions[0].revision.comment == "Changed body."


def test_publish_action_and_services_keep_revisions(editor, make_article):
    draft = make_article(status=Article.Status.REVIEW)
    services.publish_articles(articles=Article.objects.filter(pk=draft.pk), user=editor)
    services.unpublish_articles(articles=Article.objects.filter(pk=draft.pk), user=editor)
    comments = [v.revision.comment for v in article_versions(draft)]
    assert comments == ["Status: Unpublished", "Published"]


def test_revisions_are_capped_oldest_first(settings, editor, make_article):
    settings.ARTICLE_REVISIONS_KEEP = 3
    article = make_article(status=Article.Status.DRAFT)
    for n in range(5):
        with services.revision(user=editor, comment=f"save {n}"):
            article.body = f"<p>Take {n}</p>"
            article.save()
    assert [v.revision.comment for v in article_versions(article)] == ["save 4", "save 3", "save 2"]


def test_history_screen_lists_revisions_without_a_query_each(
    editor, make_article, client_for, django_assert_max_num_queries
):
    article = make_article(status=Article.Status.DRAFT)
    for n in range(30):
        with services.revision(user=editor, comment=f"save {n}"):
            article.save()
    client = client_for(editor)
    client.get(history_url(article))  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        response = client.get(history_url(article))
    assert response.status_code == 200
    assert response.content.decode().count('name="a"') == 30


def test_compare_shows_word_level_body_diff_and_changed_fields(
    editor, make_article, client_for, django_assert_max_num_queries
):
    article = make_article(status=Article.Status.DRAFT, body="<p>The council voted six to three.</p>")
    with services.revision(user=editor, comment="one"):
        article.save()
    with services.revision(user=editor, comment="two"):
        article.body = "<p>The council voted seven to two.</p>"
        article.headline = "Council vote"
        article.save()
    old, new = reversed(list(article_versions(article)))
    client = client_for(editor)
    url = reverse("admin:articles_article_compare", args=[article.pk])
    with django_assert_max_num_queries(12):
        response = client.get(url, {"a": new.pk, "b": old.pk})
    html = response.content.decode()
    assert "<del>six </del>" in html
    assert "<ins>seven </ins>" in html
    assert "<del>three.</del>" in html
    assert 'class="desk-changed"><th scope="row">Headline' in html


def test_word_diff_marks_only_changed_words():
    left, right = word_diff("<p>one two three</p>", "<p>one deux three</p>")
    assert ("removed", "two ") in left
    assert ("added", "deux ") in right
    assert left[0] == ("same", "one ")


def test_restoring_a_published_articles_text_keeps_it_published(editor, article, client_for):
    original_body = article.body
    with services.revision(user=editor, comment="first"):
        article.save()
    with services.revision(user=editor, comment="rewrite"):
        article.body = "<p>Rewritten.</p>"
        article.save()
    first = list(article_versions(article))[-1]
    response = client_for(editor).post(reverse("admin:articles_article_restore", args=[article.pk, first.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == original_body
    assert article.is_live
    assert article_versions(article).first().revision.comment.startswith("Restored the version from")


def test_restore_brings_back_bylines_and_corrections_as_they_were(editor, make_author, article, client_for):
    first, second, third = make_author("Ana Ruiz"), make_author("Ben Oyelaran"), make_author("Cy Park")
    article.bylines.all().delete()
    kept_a = Byline.objects.create(article=article, author=first, position=0)
    kept_b = Byline.objects.create(article=article, author=second, position=1)
    fixed = Correction.objects.create(article=article, text="An earlier version misspelled the mayor's name.")
    with services.revision(user=editor, comment="as filed"):
        article.save()
    as_filed = article_versions(article).first()
    with services.revision(user=editor, comment="reworked"):
        kept_a.delete()
        kept_b.position = 0
        kept_b.save()
        Byline.objects.create(article=article, author=third, position=1)
        fixed.text = "Rewritten note."
        fixed.save()
        Correction.objects.create(article=article, kind=Correction.Kind.UPDATE, text="Added later.")
        article.save()

    response = client_for(editor).post(reverse("admin:articles_article_restore", args=[article.pk, as_filed.pk]))

    assert response.status_code == 302
    article.refresh_from_db()
    assert [(b.author.name, b.position) for b in article.bylines.order_by("position")] == [
        ("Ana Ruiz", 0),
        ("Ben Oyelaran", 1),
    ]
    assert list(article.corrections.values_list("text", flat=True)) == [
        "An earlier version misspelled the mayor's name."
    ]
    assert article.is_live
    newest = article_versions(article).first()
    assert newest.revision.comment.startswith("Restored the version from")
    assert newest.pk != as_filed.pk
    # The restore's own revision keeps the restored bylines, so restoring can itself be undone.
    restored_rows = revisions.followed([newest], article.pk)[newest.revision_id]
    assert [row["author_id"] for row in restored_rows[Byline]] == [first.pk, second.pk]


def test_restore_skips_a_byline_whose_author_was_deleted(editor, make_author, article):
    gone = make_author("Gone Reporter")
    Byline.objects.create(article=article, author=gone, position=5)
    with services.revision(user=editor, comment="with guest"):
        article.save()
    version = article_versions(article).first()
    Byline.objects.filter(author=gone).delete()
    gone.delete()
    services.restore_version(article=article, version=version, user=editor)
    assert not article.bylines.filter(author_id=gone.pk).exists()
    assert article.bylines.exists()


def test_compare_shows_byline_and_correction_changes_field_by_field(
    editor, make_author, article, client_for, django_assert_max_num_queries
):
    article.bylines.all().delete()
    Byline.objects.create(article=article, author=make_author("Ana Ruiz"), position=0)
    with services.revision(user=editor, comment="one"):
        article.save()
    with services.revision(user=editor, comment="two"):
        Byline.objects.create(article=article, author=make_author("Cy Park"), position=1)
        Correction.objects.create(article=article, text="The vote was 7-2, not 6-3.")
        article.save()
    new, old = list(article_versions(article))
    url = reverse("admin:articles_article_compare", args=[article.pk])
    client = client_for(editor)
    with django_assert_max_num_queries(14):
        response = client.get(url, {"a": old.pk, "b": new.pk})
    html = response.content.decode()
    assert (
        '<tr class="desk-changed"><th scope="row">Bylines <span class="desk-tag">changed</span></th>'
        "<td>Ana Ruiz</td><td>Ana Ruiz, Cy Park</td></tr>"
    ) in html
    assert (
        '<th scope="row">Correction 1: text <span class="desk-tag">changed</span></th>'
        "<td>—</td><td>The vote was 7-2, not 6-3.</td>"
    ) in html
    assert "Correction 1: kind" in html


def test_restore_needs_change_permission(reporter, reporter_author, make_article, client_for, editor):
    article = make_article(authors=[reporter_author])  # published: read-only to the reporter
    with services.revision(user=editor, comment="first"):
        article.save()
    version = article_versions(article).first()
    url = reverse("admin:articles_article_restore", args=[article.pk, version.pk])
    assert client_for(reporter).post(url).status_code == 403


# --- Autosave ------------------------------------------------------------------------------------------


def test_autosave_keeps_a_pending_draft_and_readers_see_nothing(editor, article, client_for, client):
    response = post_json(client_for(editor), autosave_url(article), {"body": "<p>Half a thought</p>", "version": 1})
    assert response.status_code == 200
    assert "saved" in response.json()
    draft = ArticleDraft.objects.get(article=article, user=editor)
    assert draft.data["body"] == "<p>Half a thought</p>"
    article.refresh_from_db()
    assert "Half a thought" not in article.body
    assert "Half a thought" not in client.get(article.get_absolute_url()).content.decode()


def test_autosave_of_an_existing_draft_is_one_update_and_reads_no_text(editor, article, client_for):
    client = client_for(editor)
    assert post_json(client, autosave_url(article), {"body": "<p>First words</p>", "version": 1}).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = post_json(client, autosave_url(article), {"body": "<p>More words</p>", "version": 1})
    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    # Session, user, article (its version only), the user's permissions (2), the draft: no transaction dance.
    assert len(statements) <= 6, statements
    assert [sql.split()[0] for sql in statements if not sql.startswith("SELECT")] == ["UPDATE"]
    assert not any('"articles_article"."body"' in sql for sql in statements)
    assert ArticleDraft.objects.get(article=article, user=editor).data["body"] == "<p>More words</p>"


def test_heartbeat_of_a_held_lock_is_one_update_and_a_lost_lock_is_reported(editor, make_user, article, client_for):
    first = client_for(editor)
    first.get(change_url(article))
    before = ArticleLock.objects.get(article=article)
    with CaptureQueriesContext(connection) as queries:
        answer = first.post(lock_url(article)).json()
    assert answer["mine"] is True
    writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
    assert len(writes) == 1 and writes[0].startswith('UPDATE "articles_articlelock"')
    lock = ArticleLock.objects.get(article=article)
    assert lock.since == before.since and lock.heartbeat_at > before.heartbeat_at
    other = make_user(group="Editor", first_name="Sam", last_name="Okafor")
    client_for(other).post(lock_url(article) + "?take=1")
    answer = first.post(lock_url(article)).json()
    assert answer["mine"] is False and answer["holder"] == "Sam Okafor"


def test_autosave_answers_401_json_when_the_login_expired(article, client):
    response = post_json(client, autosave_url(article), {"body": "<p>Words</p>"})
    assert response.status_code == 401
    assert response.json()["error"] == "login"


def test_autosave_is_refused_where_the_form_would_be(reporter, editor, make_article, client_for):
    other = make_article(status=Article.Status.DRAFT, created_by=editor)
    response = post_json(client_for(reporter), autosave_url(other), {"body": "<p>Not mine</p>"})
    assert response.status_code in (403, 404)
    assert not ArticleDraft.objects.exists()


def test_autosave_needs_csrf(editor, article):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert post_json(client, autosave_url(article), {"body": "<p>x</p>"}).status_code == 403


def test_autosave_rejects_bad_json_with_400(editor, article, client_for):
    response = client_for(editor).post(autosave_url(article), "not json", content_type="application/json")
    assert response.status_code == 400


def test_new_article_autosave_is_kept_per_user_and_offered_back(reporter, reporter_author, client_for):
    client = client_for(reporter)
    post_json(client, autosave_url(), {"headline": "Storm hits", "body": "<p>Wind everywhere.</p>"})
    post_json(client, autosave_url(), {"headline": "Storm hits coast", "body": "<p>Wind everywhere.</p>"})
    assert ArticleDraft.objects.get(user=reporter, article=None).data["headline"] == "Storm hits coast"
    page = client.get(ADD_URL).content.decode()
    assert "Restore the autosaved version from" in page
    restored = client.get(ADD_URL, {"_restore_autosave": "1"})
    assert restored.context["adminform"].form.initial["headline"] == "Storm hits coast"


def test_reopening_offers_a_newer_autosave_with_a_diff(editor, article, client_for):
    client = client_for(editor)
    post_json(client, autosave_url(article), {"headline": article.headline, "body": "<p>Story text, longer.</p>"})
    page = client.get(change_url(article)).content.decode()
    assert "Restore the autosaved version from" in page
    assert "<ins>" in page


def test_saving_the_article_clears_the_autosave(editor, article, client_for, article_form_data):
    client = client_for(editor)
    post_json(client, autosave_url(article), {"body": "<p>Typed</p>"})
    response = client.post(change_url(article), article_form_data(article, body="<p>Typed</p>"))
    assert response.status_code == 302
    assert not ArticleDraft.objects.exists()


# --- Locks and stale saves ------------------------------------------------------------------------------


def test_opening_the_form_takes_the_lock_and_others_see_who(editor, make_user, article, client_for):
    client_for(editor).get(change_url(article))
    lock = ArticleLock.objects.get(article=article)
    assert lock.user == editor
    other = make_user(group="Editor", first_name="Sam", last_name="Ortiz")
    page = client_for(other).get(change_url(article)).content.decode()
    assert "editor has been editing this since" in page
    assert "Take over" in page
    changelist = client_for(other).get(reverse("admin:articles_article_changelist")).content.decode()
    assert "editor since" in changelist


def test_take_over_moves_the_lock_and_the_first_editor_is_told(editor, make_user, article, client_for):
    first = client_for(editor)
    first.get(change_url(article))
    second = client_for(make_user(group="Editor", username="sam"))
    assert second.post(lock_url(article)).json()["mine"] is False
    assert second.post(lock_url(article) + "?take=1").json()["mine"] is True
    beat = first.post(lock_url(article)).json()
    assert beat == {**beat, "mine": False, "holder": "sam"}


def test_an_expired_lock_is_taken_by_the_next_person(editor, make_user, article, client_for):
    client_for(editor).get(change_url(article))
    ArticleLock.objects.update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    other = make_user(group="Editor", username="sam")
    assert client_for(other).post(lock_url(article)).json()["mine"] is True


def test_stale_save_is_refused_with_who_and_text_kept(editor, make_user, article, client_for, article_form_data):
    opened = article_form_data(article, body="<p>My careful rewrite.</p>")
    other = make_user(group="Editor", username="sam", first_name="Sam", last_name="Ortiz")
    client_for(other).post(change_url(article), article_form_data(article, headline="Theirs"))
    response = client_for(editor).post(change_url(article), opened)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Not saved: Sam Ortiz saved this article at" in html
    assert "My careful rewrite." in html
    assert reverse("admin:articles_article_history", args=[article.pk]) in html
    article.refresh_from_db()
    assert article.headline == "Theirs"
    # Saving again from the re-shown form (which now carries the current version) is the person's choice.
    form = response.context["adminform"].form
    again = {**opened, "opened_version": form.data["opened_version"]}
    assert client_for(editor).post(change_url(article), again).status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>My careful rewrite.</p>"


# --- Workflow buttons and notes --------------------------------------------------------------------------


def test_reporter_submits_with_the_button(reporter, own_draft, client_for, article_form_data):
    data = article_form_data(own_draft, _workflow="review")
    assert client_for(reporter).post(change_url(own_draft), data).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.REVIEW


def test_reporter_cannot_use_editor_buttons(reporter, own_draft, client_for, article_form_data):
    for workflow in ("publish", "schedule", "unpublish", "sendback"):
        response = client_for(reporter).post(change_url(own_draft), article_form_data(own_draft, _workflow=workflow))
        assert response.status_code == 200
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT


def test_reporter_sees_only_their_buttons(reporter, own_draft, client_for):
    html = client_for(reporter).get(change_url(own_draft)).content.decode()
    assert 'value="review"' in html and "Submit for review" in html
    assert "Publish now" not in html


def test_editor_publishes_with_the_button(editor, make_article, client_for, article_form_data):
    draft = make_article(status=Article.Status.REVIEW)
    response = client_for(editor).post(change_url(draft), article_form_data(draft, _workflow="publish"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_live


@pytest.mark.parametrize("typed", ["8:00 AM", "08:00", "8:00am"])
def test_editor_schedules_with_the_button_accepting_typed_times(
    editor, make_article, client_for, article_form_data, typed
):
    draft = make_article(status=Article.Status.REVIEW)
    day = timezone.localdate() + timedelta(days=2)
    data = article_form_data(draft, _workflow="schedule", published_at_0=day.isoformat(), published_at_1=typed)
    assert client_for(editor).post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.is_scheduled
    assert timezone.localtime(draft.published_at).hour == 8


def test_schedule_button_refuses_a_past_time(editor, make_article, client_for, article_form_data):
    draft = make_article(status=Article.Status.REVIEW)
    day = timezone.localdate() - timedelta(days=2)
    data = article_form_data(draft, _workflow="schedule", published_at_0=day.isoformat(), published_at_1="08:00")
    response = client_for(editor).post(change_url(draft), data)
    assert "Choose a time in the future" in response.content.decode()


def test_send_back_needs_a_note_which_the_reporter_sees(
    editor, reporter, own_draft, client_for, article_form_data, client
):
    services.submit_for_review(articles=Article.objects.filter(pk=own_draft.pk))
    own_draft.refresh_from_db()
    editor_client = client_for(editor)
    refused = editor_client.post(change_url(own_draft), article_form_data(own_draft, _workflow="sendback"))
    assert "Tell the reporter what to change" in refused.content.decode()
    data = article_form_data(own_draft, _workflow="sendback", sendback_note="Needs a second source.")
    assert editor_client.post(change_url(own_draft), data).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT
    assert "Needs a second source." in client_for(reporter).get(change_url(own_draft)).content.decode()
    # Internal: nowhere a reader could look.
    services.publish_articles(articles=Article.objects.filter(pk=own_draft.pk))
    own_draft.refresh_from_db()
    assert "Needs a second source." not in client.get(own_draft.get_absolute_url()).content.decode()
    assert "Needs a second source." not in client.get(reverse("articles:rss")).content.decode()


def test_internal_notes_form_a_thread(editor, article, client_for, article_form_data):
    client = client_for(editor)
    client.post(change_url(article), article_form_data(article, new_note="Legal has read it."))
    assert EditorialNote.objects.get().text == "Legal has read it."
    assert "Legal has read it." in client.get(change_url(article)).content.decode()


# --- The admin around it -----------------------------------------------------------------------------------


def test_admin_uses_the_site_name(editor, client_for, settings):
    html = client_for(editor).get(reverse("admin:index")).content.decode()
    assert "Django administration" not in html
    assert settings.SITE_NAME in html


def test_admin_home_greets_each_role_with_its_work(editor, reporter, moderator, make_article, client_for):
    make_article(status=Article.Status.REVIEW)
    make_article(published_at=timezone.now() + timedelta(days=1))
    make_article(published_at=timezone.now() + timedelta(days=2))
    assert "In review (1)" in client_for(editor).get(reverse("admin:index")).content.decode()
    assert "Scheduled (2)" in client_for(editor).get(reverse("admin:index")).content.decode()
    reporter_home = client_for(reporter).get(reverse("admin:index")).content.decode()
    assert "My drafts (0)" in reporter_home and "Sent back to me (0)" in reporter_home
    moderator_home = client_for(moderator).get(reverse("admin:index")).content.decode()
    assert "/admin/comments/comment/?queue=review" in moderator_home


def test_reporter_sees_their_published_article_rendered_not_as_source(
    reporter, reporter_author, make_article, client_for
):
    article = make_article(authors=[reporter_author], body="<p>Rendered <strong>text</strong></p>")
    html = client_for(reporter).get(change_url(article)).content.decode()
    assert "<p>Rendered <strong>text</strong></p>" in html
    assert "&lt;strong&gt;" not in html


def test_created_by_links_only_for_viewers_who_may_open_users(reporter, own_draft, client_for, make_user):
    html = client_for(reporter).get(change_url(own_draft)).content.decode()
    assert "/admin/auth/user/" not in html
    boss = make_user(username="boss", is_superuser=True)
    boss.is_staff = True
    boss.save()
    assert (
        f"/admin/auth/user/{own_draft.created_by_id}/change/"
        in client_for(boss).get(change_url(own_draft)).content.decode()
    )


def test_moderator_read_only_article_does_not_link_the_section(moderator, article, client_for):
    html = client_for(moderator).get(change_url(article)).content.decode()
    assert reverse("admin:articles_section_change", args=[article.section_id]) not in html


def test_body_goes_through_the_allowlist_on_save(editor, article, client_for, article_form_data):
    data = article_form_data(article, body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    client_for(editor).post(change_url(article), data)
    article.refresh_from_db()
    assert article.body == "<p>Hi</p>"


def test_inline_photo_needs_alt_text(editor, article, client_for, article_form_data):
    data = article_form_data(article, body='<figure><img src="/media/lead/x.jpg"><figcaption>c</figcaption></figure>')
    response = client_for(editor).post(change_url(article), data)
    assert "needs alt text" in response.content.decode()


# --- Lead image ----------------------------------------------------------------------------------------------


def photo(width=2000, height=1000) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile("storm.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_lead_image_needs_alt_text(editor, article, client_for, article_form_data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = article_form_data(article, lead_image=photo())
    response = client_for(editor).post(change_url(article), data)
    assert response.status_code == 200
    assert "Describe the photo" in response.content.decode()


def test_lead_image_renditions_are_made_once_and_served_in_a_picture(
    editor, article, client_for, article_form_data, settings, tmp_path, client
):
    settings.MEDIA_ROOT = tmp_path
    data = article_form_data(article, lead_image=photo(), lead_image_alt="Waves over the sea wall")
    assert client_for(editor).post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert sorted(article.lead_image_renditions, key=int) == ["480", "960", "1600"]
    assert article.lead_image_renditions["960"]["height"] == 480
    for rendition in article.lead_image_renditions.values():
        assert (tmp_path / rendition["webp"]).exists() and (tmp_path / rendition["jpeg"]).exists()
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<source type="image/webp"' in page
    assert 'width="1600" height="800"' in page
    assert 'alt="Waves over the sea wall"' in page
    # Saving again without a new photo makes nothing new.
    before = set(tmp_path.rglob("*"))
    article.refresh_from_db()
    client_for(editor).post(change_url(article), article_form_data(article, lead_image_alt="Waves"))
    assert set(tmp_path.rglob("*")) == before


def test_versions_exclude_the_internal_counters(editor, article):
    with services.revision(user=editor, comment="x"):
        article.save()
    assert "comment_count" not in Version.objects.get_for_object(article).first().field_dict


def test_history_pages_long_histories_at_the_same_cost(
    settings, editor, make_article, client_for, django_assert_max_num_queries
):
    settings.ARTICLE_REVISIONS_KEEP = 500
    article = make_article(status=Article.Status.DRAFT)
    for n in range(120):
        with services.revision(user=editor, comment=f"save {n}"):
            article.save()
    client = client_for(editor)
    client.get(history_url(article))
    with django_assert_max_num_queries(12):
        first = client.get(history_url(article)).content.decode()
    assert first.count('name="a"') == 100
    assert "Page 1 of 2 (120 revisions)" in first
    older = client.get(history_url(article), {"p": 2}).content.decode()
    assert older.count('name="a"') == 20
    assert "save 0" in older
