"""Photos uploaded to an article and placed in its text from the picker under the editor."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

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
