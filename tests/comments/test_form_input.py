import pytest
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import Comment
from comments.services import CommentRejected, submit_comment

pytestmark = pytest.mark.django_db

INVISIBLE = ["\u200b", "\u180e", "\ufeff", "\u200b\u200d\u2060", " \u200e\u200f ", "\u3164", "\u2800", "\u00a0\u202f"]


def form_data(**overrides) -> dict:
    data = {"name": "Ada", "email": "ada@example.com", "url": "", "comment": "A thoughtful remark.", "homepage": ""}
    data.update(overrides)
    return data


@pytest.mark.parametrize("blank", INVISIBLE)
def test_comment_of_only_invisible_characters_is_refused_as_empty(client, article, blank):
    response = client.post(reverse("comments:post", kwargs={"article_id": article.pk}), form_data(comment=blank))
    assert response.status_code == 400
    assert response.context["form"].has_error("comment", code="required")
    assert not Comment.objects.exists()


@pytest.mark.parametrize("blank", INVISIBLE)
def test_name_of_only_invisible_characters_is_refused_as_empty(article, blank):
    form = CommentForm(form_data(name=blank), article=article)
    assert not form.is_valid()
    assert form.has_error("name", code="required")


def test_invisible_comment_is_told_to_write_something(article):
    form = CommentForm(form_data(name="\u200b", comment="\ufeff\u180e"), article=article)
    assert form.errors == {"name": ["Enter your name."], "comment": ["Write a comment before posting."]}


def test_text_with_invisible_characters_inside_still_posts(article):
    form = CommentForm(form_data(name="Zoë\u200d", comment="Well\u200b said"), article=article)
    assert form.is_valid(), form.errors


def test_posting_service_refuses_an_invisible_body_whatever_the_caller(article):
    with pytest.raises(CommentRejected) as refused:
        submit_comment(article=article, author_name="Ada", author_email="ada@example.com", body="\u200b\ufeff")
    assert refused.value.code == "empty"
    assert not Comment.objects.exists()


def test_bad_website_says_enter_a_valid_url_once(client, article):
    form = CommentForm(form_data(url="http://exa mple"), article=article)
    assert not form.is_valid()
    assert form.errors["url"] == ["Enter a valid URL."]
    page = client.post(reverse("comments:post", kwargs={"article_id": article.pk}), form_data(url="ftp://example.org"))
    html = page.content.decode()
    # Once beside the field, and once in the error summary that links to it.
    assert html.count("<strong>Enter a valid URL.</strong>") == 1
    assert html.count('<a href="#id_url">Website (optional): Enter a valid URL.</a>') == 1
    assert html.count("Enter a valid URL.") == 2
