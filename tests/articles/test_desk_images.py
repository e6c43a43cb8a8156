"""Photos uploaded to an article and placed in its text from the picker under the editor."""

import json
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from articles import revisions, services
from articles.models import Article, ArticleImage
from articles.sanitize import clean_html

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def images_url(article):
    return reverse("admin:articles_article_images", args=[article.pk])


def photo(width=2000, height=1000, name="harbour.jpg") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def upload(client, article, **fields):
    data = {"image": photo(), "alt": "Boats in the harbour at dawn", "caption": "", "credit": "", **fields}
    return client.post(images_url(article), data)


def test_upload_keeps_the_photo_with_renditions_and_answers_what_to_insert(editor, article, client_for, media_root):
    response = upload(client_for(editor), article, caption="The fleet leaves.", credit="Ana Ruiz")
    assert response.status_code == 201
    answer = response.json()
    saved = ArticleImage.objects.get(article=article)
    assert (saved.alt, saved.caption, saved.credit, saved.uploaded_by) == (
        "Boats in the harbour at dawn",
        "The fleet leaves.",
        "Ana Ruiz",
        editor,
    )
    assert (saved.width, saved.height) == (2000, 1000)
    assert sorted(saved.renditions, key=int) == ["480", "960", "1600"]
    for rendition in saved.renditions.values():
        assert (media_root / rendition["jpeg"]).exists() and (media_root / rendition["webp"]).exists()
    # The text column's rendition, not the 2000 px original; the smallest one as the picker's thumbnail.
    assert answer["src"] == f"/media/{saved.renditions['960']['jpeg']}"
    assert (answer["width"], answer["height"]) == (960, 480)
    assert answer["thumb"] == f"/media/{saved.renditions['480']['jpeg']}"
    assert answer["alt"] == "Boats in the harbour at dawn"


def test_a_small_photo_is_never_enlarged(editor, article, client_for):
    answer = upload(client_for(editor), article, image=photo(400, 300)).json()
    saved = ArticleImage.objects.get(article=article)
    assert list(saved.renditions) == ["400"]
    assert (answer["width"], answer["height"]) == (400, 300)


@pytest.mark.parametrize("alt", ["", "   "])
def test_upload_without_alt_text_is_refused_with_a_message(editor, article, client_for, alt):
    response = upload(client_for(editor), article, alt=alt)
    assert response.status_code == 400
    assert "alt" in response.json()["fields"]
    assert not ArticleImage.objects.exists()


def test_upload_of_something_that_is_not_a_photo_is_a_400(editor, article, client_for):
    fake = SimpleUploadedFile("notes.jpg", b"not a picture at all", content_type="image/jpeg")
    response = upload(client_for(editor), article, image=fake)
    assert response.status_code == 400
    assert response.json()["message"]
    assert not ArticleImage.objects.exists()


def test_upload_over_the_size_limit_is_refused(editor, article, client_for, settings):
    settings.ARTICLE_IMAGE_MAX_BYTES = 1000
    response = upload(client_for(editor), article)
    assert response.status_code == 400
    assert "too big" in response.json()["message"]


def test_only_someone_who_may_change_the_article_may_upload(reporter, make_user, make_article, client_for):
    published = make_article()  # not the reporter's, and published: they may not change it
    assert upload(client_for(reporter), published).status_code == 403
    assert upload(client_for(make_user(group="Moderator")), published).status_code == 403
    assert upload(Client(), published).status_code == 401
    assert not ArticleImage.objects.exists()


def test_upload_needs_csrf(editor, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert upload(client, article).status_code == 403


def test_change_form_lists_this_articles_uploads_only(editor, make_article, client_for):
    mine, other = make_article(status=Article.Status.DRAFT), make_article(status=Article.Status.DRAFT)
    client = client_for(editor)
    upload(client, mine, alt="Flooded high street")
    upload(client, other, alt="Somebody else's photo")
    html = client.get(reverse("admin:articles_article_change", args=[mine.pk])).content.decode()
    assert 'aria-label="Insert photo: Flooded high street"' in html
    assert "Somebody else" not in html
    assert "articles/desk-images.js" in html
    assert 'id="desk-image-alt"' in html and 'for="desk-image-alt"' in html


def test_read_only_form_shows_no_picker(reporter, make_article, client_for):
    html = client_for(reporter).get(reverse("admin:articles_article_change", args=[make_article().pk]))
    assert 'id="desk-images"' not in html.content.decode()


def test_inserted_figure_survives_the_form_and_reaches_readers(
    editor, make_article, client_for, article_form_data, client
):
    article = make_article()
    editor_client = client_for(editor)
    figure = upload(editor_client, article, caption="The fleet leaves.", credit="Ana Ruiz").json()
    # What the picker puts into the document, as django-prose-editor serializes it.
    body = (
        "<p>Before.</p>"
        f'<figure class="figure"><img src="{figure["src"]}" alt="{figure["alt"]}" width="{figure["width"]}" '
        f'height="{figure["height"]}"><figcaption class="figure-caption">The fleet leaves. Photo: Ana Ruiz'
        "</figcaption></figure><p>After.</p>"
    )
    response = editor_client.post(
        reverse("admin:articles_article_change", args=[article.pk]), article_form_data(article, body=body)
    )
    assert response.status_code == 302
    article.refresh_from_db()
    expected = (
        f'<figure><img src="{figure["src"]}" alt="Boats in the harbour at dawn" width="960" height="480">'
        "<figcaption>The fleet leaves. Photo: Ana Ruiz</figcaption></figure>"
    )
    assert expected in article.body
    assert expected in client.get(article.get_absolute_url()).content.decode()


def test_sanitizer_keeps_the_figure_markup_and_drops_the_rest():
    html = (
        '<figure class="figure"><img src="/media/inline/a.jpg" alt="A" width="960" height="480" onerror="x()">'
        '<figcaption class="figure-caption">Cap</figcaption></figure>'
    )
    assert clean_html(html) == (
        '<figure><img src="/media/inline/a.jpg" alt="A" width="960" height="480"><figcaption>Cap</figcaption></figure>'
    )


def test_add_form_says_how_to_get_photos_before_the_first_save(reporter, make_author, client_for):
    make_author("Dana Whitfield", user=reporter)
    html = client_for(reporter).get(reverse("admin:articles_article_add")).content.decode()
    assert "save the draft once, then upload them" in html
    assert 'id="desk-images"' not in html


# --- Correcting and removing uploads -------------------------------------------------------------------------


def edit_url(photo):
    return reverse("admin:articles_article_image_edit", args=[photo.article_id, photo.pk])


def remove_url(photo):
    return reverse("admin:articles_article_image_remove", args=[photo.article_id, photo.pk])


def edit(client, photo, **fields):
    payload = {"alt": photo.alt, "caption": photo.caption, "credit": photo.credit, **fields}
    return client.post(edit_url(photo), json.dumps(payload), content_type="application/json")


@pytest.fixture
def uploaded(editor, make_article, client_for):
    """A draft with one upload, by the editor, and the editor's client."""
    article = make_article(status=Article.Status.DRAFT, body="<p>No photos yet.</p>")
    client = client_for(editor)
    upload(client, article, caption="The fleet leaves.", credit="Ana Ruiz")
    return ArticleImage.objects.get(article=article), client


def figure_html(photo, src=None):
    figure = photo.as_figure()
    return f'<figure><img src="{src or figure["src"]}" alt="{figure["alt"]}"><figcaption>x</figcaption></figure>'


def test_edit_changes_alt_caption_and_credit_and_answers_the_photo_as_listed(uploaded):
    photo, client = uploaded
    response = edit(client, photo, alt="  Trawlers at dawn ", caption="They left at five.", credit="")
    assert response.status_code == 200
    photo.refresh_from_db()
    assert (photo.alt, photo.caption, photo.credit) == ("Trawlers at dawn", "They left at five.", "")
    answer = response.json()
    assert (answer["id"], answer["alt"], answer["caption"], answer["credit"]) == (
        photo.pk,
        "Trawlers at dawn",
        "They left at five.",
        "",
    )
    assert answer["src"] == photo.as_figure()["src"]


def test_edit_leaves_figures_already_in_the_text_alone(uploaded):
    photo, client = uploaded
    body = figure_html(photo)
    Article.objects.filter(pk=photo.article_id).update(body=body)
    assert edit(client, photo, alt="Trawlers at dawn").status_code == 200
    assert Article.objects.get(pk=photo.article_id).body == body


@pytest.mark.parametrize("alt", ["", "   "])
def test_edit_without_alt_text_is_refused_with_a_message(uploaded, alt):
    photo, client = uploaded
    response = edit(client, photo, alt=alt, caption="New caption")
    assert response.status_code == 400
    assert "alt" in response.json()["fields"]
    assert "readers who cannot see it" in response.json()["message"]
    photo.refresh_from_db()
    assert (photo.alt, photo.caption) == ("Boats in the harbour at dawn", "The fleet leaves.")


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", json.dumps({"alt": ["a list"]}).encode(), json.dumps({"alt": "x" * 201}).encode()],
)
def test_edit_with_bad_input_is_a_400_with_a_message(uploaded, body):
    photo, client = uploaded
    response = client.post(edit_url(photo), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"]
    photo.refresh_from_db()
    assert photo.alt == "Boats in the harbour at dawn"


def test_edit_or_remove_of_another_articles_photo_is_a_404(uploaded, make_article):
    photo, client = uploaded
    other = make_article(status=Article.Status.DRAFT)
    for name in ("admin:articles_article_image_edit", "admin:articles_article_image_remove"):
        url = reverse(name, args=[other.pk, photo.pk])
        response = client.post(url, json.dumps({"alt": "Hijacked"}), content_type="application/json")
        assert response.status_code == 404
        assert response.json()["message"] == "No such photo on this article."
    photo.refresh_from_db()
    assert photo.alt == "Boats in the harbour at dawn"


def test_only_someone_who_may_change_the_article_may_edit_or_remove(uploaded, reporter, make_user, client_for):
    photo, _ = uploaded
    # Not the reporter's article (no byline), so they may not change it; a moderator may change no article.
    for client, status in (
        (client_for(reporter), 403),
        (client_for(make_user(group="Moderator")), 403),
        (Client(), 401),
    ):
        assert edit(client, photo, alt="Changed").status_code == status
        assert client.post(remove_url(photo)).status_code == status
    photo.refresh_from_db()
    assert photo.alt == "Boats in the harbour at dawn"


def test_edit_and_remove_need_post_and_csrf(uploaded, editor):
    photo, _ = uploaded
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert edit(client, photo, alt="Changed").status_code == 403
    assert client.post(remove_url(photo)).status_code == 403
    assert client.get(edit_url(photo)).status_code == 405
    assert ArticleImage.objects.get(pk=photo.pk).alt == "Boats in the harbour at dawn"


def test_remove_deletes_the_row_and_every_file(uploaded, media_root, django_capture_on_commit_callbacks):
    photo, client = uploaded
    files = [media_root / name for name in photo.file_names()]
    assert len(files) == 7  # the original, and a WebP and a JPEG at each of three widths
    assert all(path.exists() for path in files)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(photo))
    assert response.status_code == 200
    assert response.json() == {"removed": photo.pk}
    assert not ArticleImage.objects.filter(pk=photo.pk).exists()
    assert not any(path.exists() for path in files)


def test_remove_is_recorded_in_the_articles_history(uploaded, editor, django_capture_on_commit_callbacks):
    photo, client = uploaded
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remove_url(photo))
    newest = revisions.article_versions(Article.objects.get(pk=photo.article_id)).first()
    assert newest.revision.get_comment() == "Removed photo: Boats in the harbour at dawn"
    assert newest.revision.user == editor


@pytest.mark.parametrize("which", ["960", "480", "original", "absolute"])
def test_remove_of_a_photo_in_the_saved_text_is_refused(uploaded, media_root, which):
    photo, client = uploaded
    storage = photo.image.storage
    src = {
        "960": photo.as_figure()["src"],
        "480": storage.url(photo.renditions["480"]["webp"]),
        "original": photo.image.url,
        "absolute": f"https://newsroom.example{photo.as_figure()['src']}",
    }[which]
    Article.objects.filter(pk=photo.article_id).update(body=f"<p>Before.</p>{figure_html(photo, src)}")
    response = client.post(remove_url(photo))
    assert response.status_code == 409
    assert response.json()["message"] == "This photo is in the text; take it out of the text first."
    assert ArticleImage.objects.filter(pk=photo.pk).exists()
    assert all((media_root / name).exists() for name in photo.file_names())


def test_remove_of_a_photo_in_someones_pending_autosave_is_refused(uploaded, reporter):
    photo, client = uploaded
    article = Article.objects.get(pk=photo.article_id)
    # Another person's autosave counts too: saving it would bring the photo back into the text.
    services.autosave(user=reporter, article=article, data={"body": figure_html(photo)}, base_version=None)
    response = client.post(remove_url(photo))
    assert response.status_code == 409
    assert "take it out of the text first" in response.json()["message"]
    assert ArticleImage.objects.filter(pk=photo.pk).exists()


def test_a_different_photo_in_the_text_does_not_block_removal(uploaded):
    first, client = uploaded
    # The same file name again: storage gives it a name of its own, which the text must not confuse with the first.
    upload(client, first.article, image=photo(name="harbour.jpg"), alt="Another boat")
    other = ArticleImage.objects.exclude(pk=first.pk).get()
    Article.objects.filter(pk=first.article_id).update(body=figure_html(other))
    assert client.post(remove_url(first)).status_code == 200
    assert client.post(remove_url(other)).status_code == 409


def test_change_form_offers_labelled_edit_and_remove_buttons_and_the_caption_note(uploaded):
    photo, client = uploaded
    html = client.get(reverse("admin:articles_article_change", args=[photo.article_id])).content.decode()
    assert 'aria-label="Edit photo: Boats in the harbour at dawn"' in html
    assert 'aria-label="Remove photo: Boats in the harbour at dawn"' in html
    assert "Photos already in the text keep their caption; edit it there." in html
    assert 'for="desk-image-details-alt"' in html
