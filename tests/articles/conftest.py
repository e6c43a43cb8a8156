import pytest
from django.test import Client
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Tag


@pytest.fixture
def make_tag(db):
    def make(name: str | None = None) -> Tag:
        name = name or f"Topic {Tag.objects.count() + 1}"
        return Tag.objects.create(name=name, slug=slugify(name))

    return make


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def article_form_data():
    """What the admin's article form posts, inline management forms included."""

    def make(article: Article | None = None, *, bylines=(), corrections=(), **overrides) -> dict:
        data = {
            "headline": article.headline if article else "A fresh headline",
            "slug": article.slug if article else "a-fresh-headline",
            "dek": article.dek if article else "",
            "body": article.body if article else "<p>Filed from the scene.</p>",
            "section": article.section_id if article else "",
            "status": article.status if article else Article.Status.DRAFT,
            "lead_image_caption": "",
            "lead_image_credit": "",
            "lead_image_alt": "",
            "comments_mode": Article.Comments.AUTO,
            "comment_moderation": Article.Moderation.SITE,
        }
        if article:
            data["opened_version"] = str(article.version)
        if article and article.published_at:
            local = timezone.localtime(article.published_at)
            data["published_at_0"] = local.strftime("%Y-%m-%d")
            data["published_at_1"] = local.strftime("%H:%M:%S")
        existing = list(article.bylines.all()) if article else []
        data.update(_formset("bylines", existing, bylines))
        data.update(_formset("corrections", [], corrections))
        data.update(overrides)
        return data

    return make


def _formset(prefix: str, existing: list, new_rows) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(existing) + len(new_rows)),
        f"{prefix}-INITIAL_FORMS": str(len(existing)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, byline in enumerate(existing):
        data.update(
            {
                f"{prefix}-{index}-id": str(byline.pk),
                f"{prefix}-{index}-article": str(byline.article_id),
                f"{prefix}-{index}-author": str(byline.author_id),
                f"{prefix}-{index}-position": str(byline.position),
            }
        )
    for offset, row in enumerate(new_rows):
        index = len(existing) + offset
        data.update({f"{prefix}-{index}-{key}": str(value) for key, value in row.items()})
    return data
