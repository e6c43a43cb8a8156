"""axe-core over the article form: a reporter filing a new article and an editor changing a published one.

Fails on any critical or serious violation of WCAG 2.0-2.2 A/AA or axe's best practices (see conftest.audit).
"""

import pytest
from django.urls import reverse

from articles.models import Correction, Tag


@pytest.fixture
def filed(live_url, make_article, make_author, make_section):
    author = make_author("Grace Hopper")
    article = make_article(headline="Harbor bridge vote", section=make_section("City Hall"), authors=[author])
    article.tags.add(Tag.objects.create(name="Bridges", slug="bridges"))
    Correction.objects.create(article=article, text="An earlier version misspelled the harbor's name.")
    return article


def test_reporters_add_form_has_no_serious_axe_violations(page, filed, reporter, audit, sign_in):
    sign_in(page, reporter)
    audit(page, reverse("admin:articles_article_add"))
    audit.assert_clean()


def test_editors_change_form_has_no_serious_axe_violations(page, filed, editor, audit, sign_in):
    sign_in(page, editor)
    audit(page, reverse("admin:articles_article_change", args=[filed.pk]))
    # The collapsed "Comments" fieldset, opened, is checked too.
    page.locator("fieldset.collapse summary, fieldset.collapse .collapse-toggle").first.click()
    audit(page, label="change form with every fieldset open")
    audit.assert_clean()
