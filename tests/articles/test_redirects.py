from datetime import timedelta

import pytest

from articles.models import Article, ArticleRedirect

pytestmark = pytest.mark.django_db


def test_slug_change_redirects_the_old_url(client, article):
    old_url = article.get_absolute_url()
    article.slug = "a-better-slug"
    article.save()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_date_change_redirects_the_old_url(client, article):
    old_url = article.get_absolute_url()
    article.published_at -= timedelta(days=3)
    article.save()
    assert article.get_absolute_url() != old_url
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_every_former_url_goes_straight_to_the_current_one(client, article):
    first_url = article.get_absolute_url()
    article.slug = "second"
    article.save()
    second_url = article.get_absolute_url()
    article.slug = "third"
    article.save()
    for old in (first_url, second_url):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, article.get_absolute_url())


def test_query_string_survives_the_redirect(client, article):
    old_url = article.get_absolute_url()
    article.slug = "moved"
    article.save()
    assert client.get(f"{old_url}?utm_source=feed")["Location"] == f"{article.get_absolute_url()}?utm_source=feed"


def test_changing_the_slug_back_leaves_no_redirect_loop(client, article):
    original = article.get_absolute_url()
    article.slug = "temporary"
    article.save()
    article.slug = original.rstrip("/").rsplit("/", 1)[1]
    article.save()
    assert client.get(original).status_code == 200
    assert not ArticleRedirect.objects.filter(old_path=original).exists()
    assert client.get("/".join(original.split("/")[:-2]) + "/temporary/").status_code == 301


def test_draft_slug_changes_record_no_redirect(make_article):
    draft = make_article(status=Article.Status.DRAFT)
    draft.slug = "renamed-draft"
    draft.save()
    assert not ArticleRedirect.objects.exists()


def test_redirect_to_an_unpublished_article_is_a_404(client, article):
    old_url = article.get_absolute_url()
    article.slug = "moved"
    article.save()
    article.status = Article.Status.UNPUBLISHED
    article.save()
    assert client.get(old_url).status_code == 404


def test_a_live_article_at_an_old_address_wins_over_the_redirect(client, make_article):
    moved = make_article(slug="shared-slug")
    old_url = moved.get_absolute_url()
    moved.slug = "elsewhere"
    moved.save()
    newcomer = make_article(slug="shared-slug", published_at=moved.published_at + timedelta(minutes=1))
    assert newcomer.get_absolute_url() == old_url
    response = client.get(old_url)
    assert response.status_code == 200
    assert newcomer.headline in response.content.decode()


def test_saving_other_fields_costs_no_lookup_of_the_old_address(article, django_assert_num_queries):
    with django_assert_num_queries(1):
        article.save(update_fields=["comment_count"])
