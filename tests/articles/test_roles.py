"""Every door a reporter, an editor and a moderator could use in the admin, tried with the test client."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction
from articles.templatetags.article_tags import dateline

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def preview_url(article):
    return reverse("admin:articles_article_preview", args=[article.pk])


def run_action(client, action, articles, **extra):
    return client.post(
        CHANGELIST_URL, {"action": action, ACTION_CHECKBOX_NAME: [a.pk for a in articles], "index": "0", **extra}
    )


@pytest.fixture
def reporter_author(reporter, make_author):
    return make_author("Dana Reporter", user=reporter)


@pytest.fixture
def own_draft(make_article, reporter, reporter_author):
    return make_article(status=Article.Status.DRAFT, authors=[reporter_author], created_by=reporter)


# --- Reporter ----------------------------------------------------------------------------------------


def test_reporter_files_a_draft_and_gets_the_byline(
    reporter, reporter_author, client_for, article_form_data, make_section
):
    section = make_section()
    response = client_for(reporter).post(ADD_URL, article_form_data(section=section.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(slug="a-fresh-headline")
    assert article.status == Article.Status.DRAFT
    assert article.created_by == reporter
    assert article.byline_authors == [reporter_author]


def test_reporter_cannot_publish_from_the_add_form(
    reporter, reporter_author, client_for, article_form_data, make_section
):
    data = article_form_data(section=make_section().pk, status=Article.Status.PUBLISHED)
    response = client_for(reporter).post(ADD_URL, data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    assert not Article.objects.exists()


def test_reporter_posting_a_publication_time_by_hand_is_ignored(reporter, client_for, article_form_data, make_section):
    future = timezone.localtime() + timedelta(days=1)
    data = article_form_data(
        section=make_section().pk,
        status=Article.Status.REVIEW,
        published_at_0=future.strftime("%Y-%m-%d"),
        published_at_1="09:00:00",
    )
    assert client_for(reporter).post(ADD_URL, data).status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert article.published_at is None


def test_reporter_status_choices_are_draft_and_review_only(reporter, own_draft, client_for):
    response = client_for(reporter).get(change_url(own_draft))
    choices = [value for value, _ in response.context["adminform"].form.fields["status"].choices]
    assert choices == [Article.Status.DRAFT, Article.Status.REVIEW]
    assert "published_at" not in response.context["adminform"].form.fields


def test_reporter_edits_own_draft_and_submits_it_for_review(reporter, own_draft, client_for, article_form_data):
    data = article_form_data(own_draft, headline="Sharper headline", status=Article.Status.REVIEW)
    assert client_for(reporter).post(change_url(own_draft), data).status_code == 302
    own_draft.refresh_from_db()
    assert (own_draft.headline, own_draft.status) == ("Sharper headline", Article.Status.REVIEW)


def test_reporter_cannot_publish_own_draft_through_the_change_form(reporter, own_draft, client_for, article_form_data):
    data = article_form_data(own_draft, status=Article.Status.PUBLISHED)
    response = client_for(reporter).post(change_url(own_draft), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT
    assert not Article.objects.published().exists()


def test_reporter_edits_a_draft_that_carries_their_byline(
    reporter, reporter_author, editor, make_article, client_for, article_form_data
):
    article = make_article(status=Article.Status.DRAFT, authors=[reporter_author], created_by=editor)
    data = article_form_data(article, dek="Added by the reporter")
    assert client_for(reporter).post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.dek == "Added by the reporter"


def test_reporter_cannot_see_or_edit_someone_elses_draft(reporter, editor, make_article, client_for, article_form_data):
    article = make_article(status=Article.Status.DRAFT, created_by=editor)
    client = client_for(reporter)
    assert article.headline not in client.get(CHANGELIST_URL).content.decode()
    client.post(change_url(article), article_form_data(article, headline="Hijacked"))
    assert client.get(preview_url(article)).status_code == 404
    article.refresh_from_db()
    assert article.headline != "Hijacked"


def test_reporter_cannot_edit_own_article_once_published(
    reporter, reporter_author, make_article, client_for, article_form_data
):
    article = make_article(authors=[reporter_author], created_by=reporter)
    client = client_for(reporter)
    page = client.get(change_url(article))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # read-only view
    response = client.post(change_url(article), article_form_data(article, headline="Quietly changed"))
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline != "Quietly changed"


def test_reporter_cannot_edit_own_scheduled_article(
    reporter, reporter_author, make_article, client_for, article_form_data
):
    article = make_article(authors=[reporter_author], published_at=timezone.now() + timedelta(days=1))
    response = client_for(reporter).post(change_url(article), article_form_data(article, headline="Changed"))
    assert response.status_code == 403


@pytest.mark.parametrize("action", ["publish_now", "unpublish", "schedule"])
def test_reporter_cannot_run_editor_actions(reporter, own_draft, reporter_author, make_article, client_for, action):
    live = make_article(authors=[reporter_author])
    client = client_for(reporter)
    actions = client.get(CHANGELIST_URL).context["action_form"].fields["action"].choices
    assert action not in [name for name, _ in actions]
    future = timezone.localtime() + timedelta(days=2)
    run_action(
        client,
        action,
        [own_draft, live],
        apply="1",
        publish_at_0=future.strftime("%Y-%m-%d"),
        publish_at_1="08:00:00",
    )
    own_draft.refresh_from_db()
    live.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT
    assert live.status == Article.Status.PUBLISHED


def test_reporter_submits_own_drafts_for_review_but_not_others(reporter, own_draft, editor, make_article, client_for):
    other = make_article(status=Article.Status.DRAFT, created_by=editor)
    run_action(client_for(reporter), "submit_for_review", [own_draft, other])
    own_draft.refresh_from_db()
    other.refresh_from_db()
    assert own_draft.status == Article.Status.REVIEW
    assert other.status == Article.Status.DRAFT


def test_reporter_cannot_delete_articles(reporter, own_draft, client_for):
    response = client_for(reporter).post(reverse("admin:articles_article_delete", args=[own_draft.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Article.objects.filter(pk=own_draft.pk).exists()


def test_reporter_cannot_attach_corrections(reporter, own_draft, client_for, article_form_data):
    client = client_for(reporter)
    assert "corrections-TOTAL_FORMS" not in client.get(change_url(own_draft)).content.decode()
    data = article_form_data(own_draft, corrections=[{"kind": "correction", "text": "Sneaked in"}])
    client.post(change_url(own_draft), data)
    assert not Correction.objects.exists()


def test_reporter_previews_own_draft_as_readers_will_see_it(reporter, own_draft, client_for):
    response = client_for(reporter).get(preview_url(own_draft))
    assert response.status_code == 200
    assert response.templates[0].name == "articles/article_detail.html"
    assert own_draft.headline in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


# --- Editor ------------------------------------------------------------------------------------------


def test_editor_publishes_now_through_the_action(editor, make_article, client_for, client):
    draft = make_article(status=Article.Status.REVIEW)
    run_action(client_for(editor), "publish_now", [draft])
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.is_live
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_editor_schedules_through_the_action(editor, make_article, client_for, client):
    draft = make_article(status=Article.Status.REVIEW)
    when = timezone.localtime() + timedelta(days=2)
    editor_client = client_for(editor)
    confirm = run_action(editor_client, "schedule", [draft])
    assert confirm.status_code == 200
    assert draft.headline in confirm.content.decode()
    run_action(
        editor_client,
        "schedule",
        [draft],
        apply="1",
        publish_at_0=when.strftime("%Y-%m-%d"),
        publish_at_1=when.strftime("%H:%M:%S"),
    )
    draft.refresh_from_db()
    assert draft.is_scheduled
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_editor_cannot_schedule_in_the_past(editor, make_article, client_for):
    draft = make_article(status=Article.Status.REVIEW)
    past = timezone.localtime() - timedelta(days=1)
    response = run_action(
        client_for(editor),
        "schedule",
        [draft],
        apply="1",
        publish_at_0=past.strftime("%Y-%m-%d"),
        publish_at_1="08:00:00",
    )
    assert response.status_code == 200
    assert "Choose a time in the future" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW


def test_editor_unpublishes_and_the_page_answers_404(editor, article, client_for, client):
    url = article.get_absolute_url()
    run_action(client_for(editor), "unpublish", [article])
    article.refresh_from_db()
    assert article.status == Article.Status.UNPUBLISHED
    assert client.get(url).status_code == 404


def test_editor_publishes_through_the_form(editor, make_article, client_for, article_form_data):
    draft = make_article(status=Article.Status.REVIEW)
    response = client_for(editor).post(change_url(draft), article_form_data(draft, status=Article.Status.PUBLISHED))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_live


def test_editor_edits_a_published_article_and_adds_a_correction(editor, article, client_for, article_form_data, client):
    now = timezone.localtime()
    correction = {
        "kind": "correction",
        "text": "The vote was 7-2, not 6-3.",
        "created_at_0": now.strftime("%Y-%m-%d"),
        "created_at_1": now.strftime("%H:%M:%S"),
    }
    data = article_form_data(article, corrections=[correction])
    assert client_for(editor).post(change_url(article), data).status_code == 302
    page = client.get(article.get_absolute_url()).content.decode()
    assert "The vote was 7-2, not 6-3." in page
    assert f'Correction, <time datetime="{now.replace(microsecond=0).isoformat()}">{dateline(now)}</time>' in page


def test_duplicate_byline_is_a_form_error_not_a_crash(editor, make_author, make_article, client_for, article_form_data):
    author = make_author()
    draft = make_article(status=Article.Status.DRAFT, authors=[author])
    data = article_form_data(draft, bylines=[{"author": author.pk, "position": 1}])
    response = client_for(editor).post(change_url(draft), data)
    assert response.status_code == 200
    assert draft.bylines.count() == 1


def test_same_slug_on_the_same_day_is_refused(editor, make_article, client_for, article_form_data):
    live = make_article(slug="big-vote")
    other = make_article(slug="other-story", published_at=live.published_at + timedelta(minutes=1))
    response = client_for(editor).post(change_url(other), article_form_data(other, slug="big-vote"))
    assert response.status_code == 200
    assert "already uses this slug" in response.content.decode()


# --- Moderator and the public ------------------------------------------------------------------------


def test_moderator_sees_articles_but_cannot_change_them(moderator, article, client_for, article_form_data):
    client = client_for(moderator)
    assert client.get(CHANGELIST_URL).status_code == 200
    assert client.get(ADD_URL).status_code == 403
    response = client.post(change_url(article), article_form_data(article, headline="Moderated"))
    assert response.status_code == 403
    run_action(client, "unpublish", [article])
    article.refresh_from_db()
    assert article.headline != "Moderated"
    assert article.status == Article.Status.PUBLISHED


def test_preview_needs_a_staff_login(make_article, client):
    draft = make_article(status=Article.Status.DRAFT)
    response = client.get(preview_url(draft))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_editor_list_tells_scheduled_from_live(editor, make_article, client_for):
    live = make_article(headline="Out already")
    scheduled = make_article(headline="Out tomorrow", published_at=timezone.now() + timedelta(days=1))
    client = client_for(editor)
    html = client.get(CHANGELIST_URL).content.decode()
    assert "Scheduled" in html
    listed = client.get(CHANGELIST_URL, {"publication": "scheduled"}).context["cl"].result_list
    assert list(listed) == [scheduled]
    listed = client.get(CHANGELIST_URL, {"publication": "live"}).context["cl"].result_list
    assert list(listed) == [live]
